package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A simulated job's status is set in two places only: its constructor (submitted) and the
 * simulation's one call into the core's state machine. Every other change is an event.
 */
class JobStateOwnershipTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("io.tern.simulator");

  @Test
  void onlyTheStateMachineCallSetsASimulatedJobsStatus() {
    List<String> writers =
        MAIN.stream()
            .flatMap(c -> c.getFieldAccessesFromSelf().stream())
            .filter(a -> a.getAccessType() == JavaFieldAccess.AccessType.SET)
            .filter(a -> isStatusOfSimJob(a.getTarget()))
            .map(JavaAccess::getOrigin)
            .map(origin -> origin.getOwner().getSimpleName() + "." + origin.getName())
            .distinct()
            .sorted()
            .toList();

    assertThat(writers).containsExactly("ClusterSimulation.on", "SimJob.<init>");
  }

  private static boolean isStatusOfSimJob(AccessTarget.FieldAccessTarget target) {
    return target.getOwner().isEquivalentTo(SimJob.class) && target.getName().equals("status");
  }
}
