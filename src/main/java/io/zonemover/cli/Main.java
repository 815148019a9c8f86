package io.zonemover.cli;

import io.zonemover.cluster.ClusterReader;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Entry point. picocli parses first, so {@code --help}, {@code --version} and bad flags answer at once;
 * the global options are checked next, before any command runs; heavier machinery (Spring Batch, H2)
 * starts only inside the commands that run jobs. This is the one place where errors become exit codes.
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
        StartupTrace.mark("main");
        RootCommand root = new RootCommand(in);
        if (RootCommand.connectsAtOnce(args)) {
            // Building picocli's model takes a third of a cold diagnose: meanwhile, other threads set up what the
            // command needs first.
            ClusterReader.prepare(Connections::inBackground);
            Path world = RootCommand.simDirectory(args);
            if (world != null) {
                root.connections().openWorldEarly(world);
            }
        }
        CommandLine line = new CommandLine(root);
        // Before the settings below: picocli applies them only to the subcommands present when they are made.
        RootCommand.addSubcommands(line, args);
        line.setOut(out);
        line.setErr(err);
        line.setCaseInsensitiveEnumValuesAllowed(true);
        // NaN and infinity parse as doubles, but no number this tool takes (time scales) can be either.
        CommandLine.ITypeConverter<Double> finite = value -> {
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number");
            }
            if (!Double.isFinite(d)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a finite number");
            }
            return d;
        };
        line.registerConverter(Double.class, finite);
        line.registerConverter(Double.TYPE, finite);
        line.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            // One line: the contract (DESIGN.md) is that bad input gets one line naming it.
            String message = withoutJavaNames(firstLine(ex.getMessage()));
            if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                message += "; did you mean " + unmatched.getSuggestions().get(0) + "?";
            }
            if (!message.contains("--help")) {
                message += " (see `" + cmd.getCommandSpec().qualifiedName() + " --help`)";
            }
            cmd.getErr().println("zonemover: error: " + message);
            if (root.global().verbose()) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return ZonemoverException.Kind.BAD_INPUT.exitCode();
        });
        line.setExecutionStrategy(parsed -> {
            StartupTrace.mark("parsed");
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            try {
                root.connections().validate();
            } catch (RuntimeException e) {
                CommandLine last = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
                throw new CommandLine.ExecutionException(last, e.getMessage(), e);
            }
            StartupTrace.mark("validated");
            return new CommandLine.RunLast().execute(parsed);
        });
        line.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Failure failure = classify(ex, root.global());
            cmd.getErr().println("zonemover: " + label(failure.kind()) + ": " + failure.message());
            if (root.global().verbose()) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return failure.kind().exitCode();
        });
        try {
            return line.execute(args);
        } finally {
            root.close();
            out.flush();
            err.flush();
        }
    }

    /** What the user is told: the kind (hence the exit code) and one line. */
    record Failure(ZonemoverException.Kind kind, String message) {
    }

    /**
     * Finds the error that means something to the user, however deep Spring or a library wrapped it: the
     * tool's own error (bad input, refused, failed), a directory that is not a world, or a database that
     * cannot be opened as --db names it. Anything else is a failure, told by its first message that is
     * not a wrapper's ("Error creating bean ...").
     */
    static Failure classify(Throwable ex, GlobalOptions global) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = ex; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof ZonemoverException z) {
                return new Failure(z.kind(), message(z));
            }
            if (t instanceof WorldStore.NotAWorldException) {
                return new Failure(ZonemoverException.Kind.BAD_INPUT, message(t));
            }
        }
        ZonemoverException database = global.databaseProblem(ex, false);
        if (database != null) {
            return new Failure(database.kind(), message(database));
        }
        if (ex instanceof IllegalArgumentException) {
            return new Failure(ZonemoverException.Kind.BAD_INPUT, message(ex));
        }
        return new Failure(ZonemoverException.Kind.FAILED, message(unwrapped(ex)));
    }

    /** The first exception in the chain that is not a mere wrapper from Spring or reflection. */
    private static Throwable unwrapped(Throwable ex) {
        Throwable t = ex;
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        while (t.getCause() != null && seen.put(t, Boolean.TRUE) == null && isWrapper(t)) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isWrapper(Throwable t) {
        String name = t.getClass().getName();
        String message = t.getMessage() == null ? "" : t.getMessage();
        return name.startsWith("org.springframework.beans.")
                || name.startsWith("org.springframework.context.")
                || name.equals("org.springframework.boot.context.properties.bind.BindException")
                || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.lang.reflect.UndeclaredThrowableException
                || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException
                || message.startsWith("Error creating bean")
                || message.startsWith("Failed to instantiate");
    }

    /** picocli appends the converter's exception, "(java.net.URISyntaxException: ...)": users need not see it. */
    static String withoutJavaNames(String message) {
        return message.replaceAll("\\s*\\((?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)(?::[^()]*)?\\)", "");
    }

    private static String label(ZonemoverException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> "error";
            case REFUSED -> "refused";
            case FAILED -> "failed";
        };
    }

    private static String message(Throwable ex) {
        String message = firstLine(ex.getMessage());
        return message.isEmpty() ? ex.getClass().getSimpleName() : message;
    }

    private static String firstLine(String message) {
        return GlobalOptions.firstLine(message);
    }
}
