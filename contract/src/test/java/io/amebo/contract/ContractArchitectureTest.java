package io.amebo.contract;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.amebo.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

class ContractArchitectureTest {

    @Test
    void contractIsPlainJava() {
        ArchitectureRules.CONTRACT_IS_PLAIN.check(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.amebo.contract"));
    }
}
