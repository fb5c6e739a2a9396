package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.tern.api.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nothing in the scheduler but {@link JobLifecycle} sets a stored job's state, and it sets only
 * what the core's state machine decided: the lifecycle has one home.
 */
class JobStateOwnershipTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("io.tern.scheduler.server");

  @Test
  void onlyJobLifecycleSetsAJobsState() {
    List<String> setters =
        MAIN.stream()
            .flatMap(c -> c.getMethodCallsFromSelf().stream())
            .filter(JobStateOwnershipTest::setsJobState)
            .map(call -> call.getOrigin().getFullName())
            .distinct()
            .sorted()
            .toList();

    assertThat(setters)
        .as("code that sets a Job's state")
        .isNotEmpty()
        .allMatch(origin -> origin.startsWith(JobLifecycle.class.getName() + "."));
  }

  private static boolean setsJobState(JavaMethodCall call) {
    return call.getTargetOwner().isEquivalentTo(Job.Builder.class)
        && call.getName().startsWith("setState");
  }
}
