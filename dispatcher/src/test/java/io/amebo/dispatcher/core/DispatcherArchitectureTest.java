package io.amebo.dispatcher.core;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.amebo.testkit.ArchitectureRules;
import org.junit.jupiter.api.Test;

class DispatcherArchitectureTest {

    @Test
    void coreIsPlainJava() {
        ArchitectureRules.CORE_IS_PURE.check(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.amebo.dispatcher"));
    }
}
