package io.zonemover.cli;

import io.zonemover.diagnose.StorageClassFix;
import io.zonemover.domain.ZonemoverException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** `zonemover storageclass fix`: recreates an Immediate-binding EBS StorageClass as WaitForFirstConsumer. */
@Command(name = "storageclass", description = "Fixes EBS StorageClasses that put new volumes in the wrong zone.",
        subcommands = {StorageClassCommand.Fix.class})
final class StorageClassCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "fix",
            description = {"Switches an EBS StorageClass to volumeBindingMode WaitForFirstConsumer, so each new volume",
                    "is created in the zone where its pod is scheduled. The field is immutable: the class is deleted and",
                    "created again with the same name and everything else kept (parameters, reclaim policy, expansion,",
                    "mount options, topologies, labels, annotations including the default-class mark).",
                    "Existing volumes and claims are not touched."},
            footerHeading = "%nExit codes:%n",
            footer = {"  0  recreated (or --dry-run shown)", "  1  failed (the saved manifest is printed)",
                    "  2  no such StorageClass", "  3  refused: not EBS, already WaitForFirstConsumer, or not confirmed"})
    static final class Fix extends BaseCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "The StorageClass.")
        String name;

        @Option(names = "--dry-run", description = "Show the change and make none.")
        boolean dryRun;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Integer call() {
            StorageClassFix fix = new StorageClassFix(connections().kube());
            StorageClassFix.Plan plan = fix.plan(name);
            out().println("StorageClass " + name + " (" + plan.current().getProvisioner()
                    + ") will be deleted and created again with the same name:");
            for (String line : plan.diff()) {
                out().println(line);
            }
            out().println("Existing PersistentVolumes and claims are not touched; only volumes provisioned from now on"
                    + " wait for their pod's zone.");
            if (dryRun) {
                out().println("Dry run: nothing changed.");
                return 0;
            }
            if (!Confirm.ask(root().input(), out(), "Proceed?", yes)) {
                throw ZonemoverException.refused("not confirmed; rerun with --yes");
            }
            fix.apply(plan, err());
            out().println("StorageClass " + name + " recreated with volumeBindingMode WaitForFirstConsumer.");
            return 0;
        }
    }
}
