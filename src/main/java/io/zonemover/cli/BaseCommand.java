package io.zonemover.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** What every command needs: the global options, the lazily built clients, and its own writers. */
abstract class BaseCommand {

    @Spec
    CommandSpec spec;

    RootCommand root() {
        return (RootCommand) spec.root().userObject();
    }

    GlobalOptions global() {
        return root().global();
    }

    Connections connections() {
        return root().connections();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
