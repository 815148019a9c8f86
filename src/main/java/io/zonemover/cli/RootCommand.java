package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.io.InputStream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The root command: global options, the subcommands, and the input confirmations read from. */
@Command(name = "zonemover",
        scope = picocli.CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Moves the EBS volume behind a Kubernetes PersistentVolumeClaim to another availability zone and brings its StatefulSet pod back there, with no data lost. Every move is a resumable job.",
                "",
                "Start with `zonemover diagnose` when a pod is Pending with `volume node affinity conflict`; try the whole story on a simulated cluster with `zonemover demo`."},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  done",
                "  1  failed (state kept: `zonemover jobs resume ID` continues)",
                "  2  bad input, nothing changed",
                "  3  refused by a safety check, nothing changed",
                "",
                "Examples:",
                "  zonemover diagnose -A",
                "  zonemover migrate default/www-web-3 --to auto --dry-run",
                "  zonemover rebalance plan -n shop --out spread.yaml",
                "  zonemover jobs list",
                "  zonemover sim init /tmp/world --scenario stuck-pod && zonemover --sim /tmp/world diagnose"},
        subcommands = {
                DemoCommand.class,
                DiagnoseCommand.class,
                MigrateCommand.class,
                RebalanceCommand.class,
                JobsCommand.class,
                SnapshotCommand.class,
                CleanupCommand.class,
                RescueCommand.class,
                StorageClassCommand.class,
                SimCommand.class,
                BenchCommand.class,
        })
public final class RootCommand implements Runnable, AutoCloseable {

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Spec
    CommandSpec spec;

    private final InputStream input;
    private Connections connections;

    RootCommand(InputStream input) {
        this.input = input;
    }

    /** Where confirmation answers come from (stdin for a real run). */
    InputStream input() {
        return input;
    }

    public GlobalOptions global() {
        return global;
    }

    public synchronized Connections connections() {
        if (connections == null) {
            connections = new Connections(global);
        }
        return connections;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required (see `zonemover --help`)");
    }

    @Override
    public synchronized void close() {
        if (connections != null) {
            connections.close();
        }
    }
}
