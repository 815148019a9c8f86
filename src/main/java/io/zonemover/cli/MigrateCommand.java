package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** PLACEHOLDER until this command is built. */
@Command(name = "migrate", description = "Not built yet.")
final class MigrateCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        err().println("zonemover: migrate is not built yet");
        return 1;
    }
}
