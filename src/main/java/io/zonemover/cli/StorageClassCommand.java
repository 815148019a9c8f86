package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** PLACEHOLDER until this command is built. */
@Command(name = "storageclass", description = "Not built yet.")
final class StorageClassCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        err().println("zonemover: storageclass is not built yet");
        return 1;
    }
}
