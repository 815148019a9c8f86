package io.zonemover.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.nio.file.Path;

/** A real zonemover process on the test classpath, whose output a test can watch and which it can kill -9. */
final class ZonemoverProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder stdout = new StringBuilder();

    private ZonemoverProcess(Process process) {
        this.process = process;
        Thread err = new Thread(() -> pump(process.getErrorStream(), true), "zm-stderr");
        Thread out = new Thread(() -> pump(process.getInputStream(), false), "zm-stdout");
        err.setDaemon(true);
        out.setDaemon(true);
        err.start();
        out.start();
    }

    static ZonemoverProcess start(String... args) throws IOException {
        return start(java.util.Map.of(), args);
    }

    /** Starts it with extra environment, e.g. ZONEMOVER_FAILPOINT to halt it at a chosen step iteration. */
    static ZonemoverProcess start(java.util.Map<String, String> env, String... args) throws IOException {
        return startClass("io.zonemover.cli.Main", env, args);
    }

    /** Starts another entry point on the test classpath (a test-only runner), the same way. */
    static ZonemoverProcess startClass(String mainClass, java.util.Map<String, String> env, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process = builder.start();
        process.getOutputStream().close();
        return new ZonemoverProcess(process);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void pump(InputStream stream, boolean isErr) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    if (isErr) {
                        lines.add(line);
                    } else {
                        stdout.append(line).append('\n');
                        lines.add(line);
                    }
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // The process was killed.
        }
    }

    /** Waits until an output line matches; returns it, or fails if the process ends or time runs out. */
    synchronized String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < lines.size(); seen++) {
                if (match.test(lines.get(seen))) {
                    return lines.get(seen);
                }
            }
            if (!process.isAlive()) {
                wait(200);
                if (seen == lines.size()) {
                    throw new AssertionError("process ended (exit " + process.exitValue() + ") before a matching line:\n"
                            + String.join("\n", lines));
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching line within " + timeout + ":\n" + String.join("\n", lines));
            }
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    /** SIGKILL: no shutdown hook, no finally block, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not finish within " + timeout + ":\n" + output());
        }
        Thread.sleep(100);
        return process.exitValue();
    }

    synchronized String output() {
        return String.join("\n", lines);
    }

    synchronized String stdout() {
        return stdout.toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
