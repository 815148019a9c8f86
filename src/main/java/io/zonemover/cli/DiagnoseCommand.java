package io.zonemover.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** PLACEHOLDER until this command is built. */
@Command(name = "diagnose", description = "Not built yet.")
final class DiagnoseCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        err().println("zonemover: diagnose is not built yet");
        return 1;
    }
}
