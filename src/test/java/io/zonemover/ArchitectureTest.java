package io.zonemover;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules that each package-info.java states, and STYLE.md's "dependencies point one way:
 * cli -> jobs -> domain and the two ports", held on the production classes (tests may reach anything).
 */
@AnalyzeClasses(packages = "io.zonemover",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    /** domain: "Pure model and rules of a zone move: no Kubernetes, AWS, Spring or picocli types here." */
    @ArchTest
    static final ArchRule domainImportsOnlyTheJdk = classes().that().resideInAPackage("io.zonemover.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.zonemover.domain..")
            .because("the domain is pure model and rules (domain/package-info.java)");

    /** sim: "Production code never imports this package; only the wiring (--sim DIR) and tests reach it." */
    @ArchTest
    static final ArchRule onlyTheWiringReachesTheSimulatedWorld = noClasses()
            .that().resideOutsideOfPackages("io.zonemover.sim..", "io.zonemover.cli..")
            .should().dependOnClassesThat().resideInAPackage("io.zonemover.sim..")
            .because("the simulated world is reached only from the wiring and tests (sim/package-info.java)");

    /** cli is the top: "the one place where errors become exit codes"; nothing below calls up into it. */
    @ArchTest
    static final ArchRule nothingDependsOnTheCommandLine = noClasses()
            .that().resideOutsideOfPackage("io.zonemover.cli..")
            .should().dependOnClassesThat().resideInAPackage("io.zonemover.cli..")
            .because("dependencies point one way: cli -> jobs -> domain and the ports (STYLE.md)");

    @ArchTest
    static final ArchRule picocliOnlyInTheCommandLine = noClasses()
            .that().resideOutsideOfPackage("io.zonemover.cli..")
            .should().dependOnClassesThat().resideInAPackage("picocli..")
            .because("parsing and exit codes live in cli (cli/package-info.java)");

    /** jobs: the use cases; they reach Kubernetes and EC2 only through the two ports' own types. */
    @ArchTest
    static final ArchRule jobsReachTheWorldThroughThePorts = noClasses()
            .that().resideInAPackage("io.zonemover.jobs..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.cli..", "io.zonemover.diagnose..",
                    "software.amazon.awssdk..", "io.kubernetes.client..", "okhttp3..")
            .because("jobs talk to EBS through BlockStore and to Kubernetes through Cluster (jobs/package-info.java)");

    /** protect: a use case on the two ports and the domain only, beside the move engine rather than on it. */
    @ArchTest
    static final ArchRule protectiveSnapshotsUseOnlyThePortsAndTheDomain = classes()
            .that().resideInAPackage("io.zonemover.protect..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.zonemover.protect..",
                    "io.zonemover.domain..", "io.zonemover.cluster..", "io.zonemover.aws..")
            .because("protective snapshots reach Kubernetes and EC2 through the ports (protect/package-info.java)");

    /** cleanup: a use case on the two ports and the domain only, like protect: the cloud's tags are its evidence. */
    @ArchTest
    static final ArchRule cleanupUsesOnlyThePortsAndTheDomain = classes()
            .that().resideInAPackage("io.zonemover.cleanup..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.zonemover.cleanup..",
                    "io.zonemover.domain..", "io.zonemover.aws..", "io.zonemover.cluster..")
            .because("cleanup reaches Kubernetes and EC2 through the ports (cleanup/package-info.java)");

    /** fleet: "Pure apart from the plan file's YAML and the reader of the ports"; the apply engine is in jobs. */
    @ArchTest
    static final ArchRule fleetPlanningIsPure = classes().that().resideInAPackage("io.zonemover.fleet..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.zonemover.domain..",
                    "io.zonemover.fleet..", "org.yaml.snakeyaml..", "io.zonemover.cluster..", "io.zonemover.aws..")
            .because("planning reads a FleetState and writes a FleetPlan (fleet/package-info.java)");

    /** rescue: over the Cluster port, diagnose's findings and the move engine's use cases; no client of its own. */
    @ArchTest
    static final ArchRule rescueReachesKubernetesThroughThePort = noClasses()
            .that().resideInAPackage("io.zonemover.rescue..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.cli..", "io.kubernetes.client..",
                    "okhttp3..", "software.amazon.awssdk..", "org.springframework..")
            .because("rescue talks to Kubernetes through Cluster and runs moves through MigrationService "
                    + "(rescue/package-info.java)");

    /** cluster and aws: the two ports and their adapters know nothing of the use cases above them. */
    @ArchTest
    static final ArchRule portsDoNotDependOnUseCases = noClasses()
            .that().resideInAnyPackage("io.zonemover.cluster..", "io.zonemover.aws..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.jobs..", "io.zonemover.cli..",
                    "io.zonemover.diagnose..", "io.zonemover.state..", "io.zonemover.protect..", "io.zonemover.cleanup..")
            .because("the ports serve jobs, diagnose and protect, not the other way round");

    @ArchTest
    static final ArchRule theTwoPortsStayApart = noClasses()
            .that().resideInAPackage("io.zonemover.cluster..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.aws..", "software.amazon.awssdk..")
            .because("Kubernetes and EBS are separate ports");

    @ArchTest
    static final ArchRule awsPortKnowsNoKubernetes = noClasses()
            .that().resideInAPackage("io.zonemover.aws..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.cluster..", "io.kubernetes.client..")
            .because("Kubernetes and EBS are separate ports");

    /** diagnose: computed from one ClusterSnapshot; it neither runs jobs nor reads their state. */
    @ArchTest
    static final ArchRule diagnoseDoesNotDependOnJobs = noClasses()
            .that().resideInAPackage("io.zonemover.diagnose..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.jobs..", "io.zonemover.state..",
                    "io.zonemover.cli..", "org.springframework.batch..")
            .because("diagnose reads the cluster only (diagnose/package-info.java)");

    /** state: zonemover's own tables; storage, not logic, so it depends on none of the layers. */
    @ArchTest
    static final ArchRule stateIsStorageOnly = noClasses()
            .that().resideInAPackage("io.zonemover.state..")
            .should().dependOnClassesThat().resideInAnyPackage("io.zonemover.jobs..", "io.zonemover.cli..",
                    "io.zonemover.cluster..", "io.zonemover.aws..", "io.zonemover.diagnose..")
            .because("state holds rows for the jobs (state/package-info.java)");

    @ArchTest
    static final ArchRule awsSdkOnlyBehindTheBlockStorePort = noClasses()
            .that().resideOutsideOfPackages("io.zonemover.aws..", "io.zonemover.cli..")
            .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
            .because("aws is the one adapter over the AWS SDK; cli only builds the client");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.zonemover.(*)..").should().beFreeOfCycles();
}
