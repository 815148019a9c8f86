package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** PLACEHOLDER until this command is built. */
@Command(name = "demo", description = "Not built yet.")
final class DemoCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        err().println("zonemover: demo is not built yet");
        return 1;
    }
}
