package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;

/**
 * Entry point. picocli parses first, so {@code --help}, {@code --version} and bad flags answer at once;
 * heavier machinery (Spring Batch, H2) starts only inside the commands that run jobs.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs one command line with no input (questions are answered "no"); tests call this with their own writers. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs one command line and returns its exit code; {@code in} answers the confirmation questions. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        RootCommand root = new RootCommand(in);
        CommandLine line = new CommandLine(root);
        line.setOut(out);
        line.setErr(err);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("zonemover: error: " + ex.getMessage());
            cmd.getErr().println("Try `" + cmd.getCommandSpec().qualifiedName() + " --help`.");
            return ZonemoverException.Kind.BAD_INPUT.exitCode();
        });
        line.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = root.global().verbose();
            ZonemoverException.Kind kind = classify(ex);
            cmd.getErr().println("zonemover: " + label(kind) + ": " + message(ex));
            if (verbose) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return kind.exitCode();
        });
        try {
            return line.execute(args);
        } finally {
            root.close();
            out.flush();
            err.flush();
        }
    }

    private static ZonemoverException.Kind classify(Throwable ex) {
        if (ex instanceof ZonemoverException z) {
            return z.kind();
        }
        if (ex instanceof WorldStore.NotAWorldException || ex instanceof IllegalArgumentException) {
            return ZonemoverException.Kind.BAD_INPUT;
        }
        return ZonemoverException.Kind.FAILED;
    }

    private static String label(ZonemoverException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> "error";
            case REFUSED -> "refused";
            case FAILED -> "failed";
        };
    }

    private static String message(Throwable ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            message = ex.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }
}
