package io.amebo.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;

/** Rules from STYLE.md that every module checks against its own classes. */
public final class ArchitectureRules {

    /** Frameworks and I/O mechanisms that must stay out of pure code. */
    static final String[] MECHANISMS = {
        "org.springframework..", "reactor..", "org.reactivestreams..", "org.apache.kafka..", "io.r2dbc..", "io.netty.."
    };

    /**
     * Every {@code core} package holds records, sealed types and pure functions: no Spring, Reactor, Kafka, R2DBC
     * or Netty. Fails when a module has no {@code core} classes at all, so a typo in the package cannot make it pass.
     */
    public static final ArchRule CORE_IS_PURE = noClasses()
            .that()
            .resideInAPackage("..core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(MECHANISMS)
            .because("core is plain Java: records, sealed types and pure functions (STYLE.md, Layout)");

    /** The contract module is plain Java for the same reasons, and so that any client can depend on it. */
    public static final ArchRule CONTRACT_IS_PLAIN = noClasses()
            .that()
            .resideInAPackage("io.amebo.contract..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(MECHANISMS)
            .because("the contract is shared by every service and client (STYLE.md, Layout)");

    private ArchitectureRules() {}
}
