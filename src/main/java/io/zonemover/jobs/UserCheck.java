package io.zonemover.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The user's own health check between a plan's moves (--check CMD: a replication-lag query, a quorum probe):
 * run with {@code sh -c}, passing when it exits 0 within five minutes.
 */
final class UserCheck {

    private static final long TIMEOUT_MINUTES = 5;

    private UserCheck() {
    }

    /** Null when the check passed; otherwise why not, in one line. */
    static String run(String command) {
        Path output = null;
        try {
            // Output to a file, not a pipe: a check that hangs must not hang the plan past the timeout.
            output = Files.createTempFile("zonemover-check", ".out");
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "`" + command + "` did not finish within " + TIMEOUT_MINUTES + " minutes";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "" : text.lines().reduce((a, b) -> b).orElse("");
            return "`" + command + "` exited " + p.exitValue() + (last.isEmpty() ? "" : ": " + last);
        } catch (IOException e) {
            return "`" + command + "` could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }
}
