package io.tern.scheduler.server.loop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The loop's helpers depend on the narrow parts they use (LoopThread, StateWrites, JobCommands,
 * Telemetry, Fleet, ...), never on {@link SchedulerLoop} itself: only the loop wires them, so each
 * can be built and tested alone, and none reaches into another through the loop.
 */
class LoopHelpersArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("io.tern.scheduler.server");

  private static final DescribedPredicate<JavaClass> THE_LOOP_ITSELF =
      DescribedPredicate.describe(
          "SchedulerLoop or a class nested in it",
          c ->
              c.getName().equals(SchedulerLoop.class.getName())
                  || c.getName().startsWith(SchedulerLoop.class.getName() + "$"));

  @Test
  void noHelperOfTheLoopDependsOnTheLoop() {
    noClasses()
        .that()
        .resideInAPackage("..server.loop..")
        .and(DescribedPredicate.not(THE_LOOP_ITSELF))
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(SchedulerLoop.class.getName())
        .check(MAIN);
  }
}
