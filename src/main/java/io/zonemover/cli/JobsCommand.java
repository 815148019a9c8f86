package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** PLACEHOLDER until this command is built. */
@Command(name = "jobs", description = "Not built yet.")
final class JobsCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        err().println("zonemover: jobs is not built yet");
        return 1;
    }
}
