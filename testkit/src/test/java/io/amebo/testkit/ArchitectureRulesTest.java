package io.amebo.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

class ArchitectureRulesTest {

    @Test
    void catchesACoreClassThatDependsOnSpring() {
        JavaClasses classes = new ClassFileImporter().importPackages("io.amebo.testkit.fixture.core.impure");

        EvaluationResult result = ArchitectureRules.CORE_IS_PURE.evaluate(classes);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("LeakyCore").contains("ApplicationContext"));
    }

    @Test
    void passesACoreOfRecordsAndPlainJava() {
        JavaClasses classes = new ClassFileImporter().importPackages("io.amebo.testkit.fixture.core.pure");

        assertThat(ArchitectureRules.CORE_IS_PURE.evaluate(classes).hasViolation())
                .isFalse();
    }
}
