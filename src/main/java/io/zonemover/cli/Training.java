package io.zonemover.cli;

import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the command lines users start most, one after another in one JVM on throwaway simulated worlds, so
 * that a class-data-sharing archive recorded of this process holds the classes each of them loads (the
 * launcher, {@code ./zonemover}, records one for diagnose and the sim commands, and one for everything else).
 */
public final class Training {

    private Training() {
    }

    /**
     * {@code args[0]}: {@code diagnose} (diagnose on --sim, and against a served API through a kubeconfig, the
     * path a real cluster takes; sim init and show; help) or {@code all} (those, and a dry-run migration: Spring
     * Batch, the state database, EC2); {@code args[1]}: an empty scratch directory for the worlds.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[1]));
        String world = dir.resolve("stuck-pod").toString();
        run("--help");
        run("sim", "init", world, "--scenario", "stuck-pod");
        run("sim", "show", world, "--json");
        run("--sim", world, "diagnose");
        run("--sim", world, "-o", "json", "diagnose");
        try (SimServers served = SimServers.start(WorldStore.open(Path.of(world)), 0, 0)) {
            Path kubeconfig = served.writeKubeconfig(dir.resolve("kubeconfig"));
            run("diagnose", "-A", "-o", "json", "--kubeconfig", kubeconfig.toString(),
                    "--ec2-endpoint", served.ec2Uri().toString());
        }
        if ("all".equals(args[0])) {
            run("--sim", world, "migrate", "default/www-web-3", "--to", "auto", "--dry-run");
            run("--sim", world, "jobs", "list");
        }
        // Main.main ends with System.exit too: the archive is written at exit, with the classes loaded by then.
        System.exit(0);
    }

    private static void run(String... args) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        Main.run(args, quiet, quiet);
    }
}
