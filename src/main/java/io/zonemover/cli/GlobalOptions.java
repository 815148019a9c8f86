package io.zonemover.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.net.URI;
import java.nio.file.Path;

/** The options every command accepts, before or after the subcommand's name. */
public final class GlobalOptions {

    public enum Output { table, json }

    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster config).")
    Path kubeconfig;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Kubeconfig context to use (default: the current context).")
    String context;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION",
            description = "AWS region (default: the AWS SDK's region chain: AWS_REGION, profile, instance metadata).")
    String region;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "AWS shared-config profile for credentials (default: the AWS default credential chain).")
    String profile;

    @Option(names = "--ec2-endpoint", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "EC2 endpoint to use instead of the region's (a VPC endpoint, or a simulated world's).")
    URI ec2Endpoint;

    @Option(names = "--db", scope = ScopeType.INHERIT, paramLabel = "JDBC_URL",
            description = "Job state database (default: H2 file ~/.zonemover/state; with --sim, DIR/state).")
    String db;

    @Option(names = "--sim", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Run against the simulated world in DIR (see `zonemover sim init`) instead of a real cluster and AWS.")
    Path sim;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
    Output output = Output.table;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces and debug detail on errors.")
    boolean verbose;

    public boolean json() {
        return output == Output.json;
    }

    public Path sim() {
        return sim;
    }

    public boolean verbose() {
        return verbose;
    }

    /** The JDBC URL of the job state database. */
    public String jdbcUrl() {
        if (db != null) {
            return db;
        }
        Path base = sim != null ? sim.toAbsolutePath().resolve("state")
                : Path.of(System.getProperty("user.home"), ".zonemover", "state");
        // AUTO_SERVER lets `jobs list` in a second terminal read while a migration holds the file.
        // WRITE_DELAY=0: H2 has no write-ahead log and by default writes commits up to 500 ms later, so a
        // kill -9 could lose a checkpoint whose action already happened; this writes each commit at once.
        return "jdbc:h2:file:" + base + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }
}
