package io.zonemover.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code diagnoseCold*} and {@code diagnoseLarge*}: `zonemover diagnose` as a new process, its wall seconds and
 * peak resident memory (MB), as a user at a shell would see them.
 *
 * <p>The process is the repository's {@code ./zonemover} launcher (its class-data-sharing archives prepared by one
 * run beforehand, so the figure is a cold start of the command, not the launcher's once-per-build preparation)
 * when {@code ./zonemover} and {@code target/zonemover.jar} exist in the working directory; otherwise
 * {@code java -cp <this JVM's classpath> io.zonemover.cli.Main}. {@code diagnoseLauncher} says which. Peak memory
 * comes from GNU time ({@code /usr/bin/time -f "%e %M"}) when present, otherwise from polling VmHWM in
 * {@code /proc/PID/status} while it runs (wall time then from this JVM's clock).
 *
 * <p>Cold: {@code zonemover --sim DIR diagnose} on the {@code stuck-pod} world (the simulated servers run inside
 * the process, as a user of the simulation runs it). Large: the {@code large} world (10,000 pods, 5,000 claims,
 * 300 nodes) served over HTTP by a separate {@code sim serve} process, and {@code zonemover diagnose -A -o json
 * --kubeconfig ... --ec2-endpoint ...} against it, as bench/diagnose.sh does (that script at the default time
 * scale): the process is then only the tool, talking to an API server as it would to a real one.
 *
 * <p>The large world runs at a time scale of 1 (world time is wall time, as in a real cluster): at the default
 * 60, every request first has the server simulate a minute of 10,000 pods for each second since the last one,
 * a cost a real API server does not have and that diagnose, which only reads, does not need. One large run
 * before the measured ones is not counted (it warms the server, not the tool). Each figure is the median of
 * the measured runs.
 */
public final class DiagnoseBench {

    private DiagnoseBench() {
    }

    /** {@code runs}: measured runs of each, the median reported (machines shared with others are noisy). */
    public static Map<String, Object> run(Zonemover zm, Path base, int runs) throws IOException, InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> tool = tool();
        out.put("diagnoseLauncher", tool.size() == 1 ? "./zonemover" : "java -cp CLASSPATH io.zonemover.cli.Main");
        if (tool.size() == 1) {
            exec(List.of(tool.get(0), "--version"), base.resolve("warmup.txt"));
        }

        Path cold = base.resolve("stuck-pod");
        zm.run("sim", "init", cold.toString(), "--scenario", "stuck-pod");
        List<String> cmd = new ArrayList<>(tool);
        cmd.addAll(List.of("--sim", cold.toString(), "diagnose"));
        double[] c = median(cmd, base.resolve("cold"), runs);
        out.put("diagnoseColdSeconds", c[0]);
        out.put("diagnoseColdPeakMB", c[1]);

        Path large = base.resolve("large");
        zm.run("sim", "init", large.toString(), "--scenario", "large", "--set", "pods=10000", "--set", "claims=5000",
                "--set", "nodes=300", "--time-scale", "1");
        Process serve = new ProcessBuilder(java("sim", "serve", large.toString()))
                .redirectError(base.resolve("serve.err").toFile()).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            if (first == null) {
                throw new IllegalStateException("bench: sim serve did not start: "
                        + Files.readString(base.resolve("serve.err")));
            }
            Thread drain = new Thread(() -> r.lines().forEach(l -> { }), "serve-drain");
            drain.setDaemon(true);
            drain.start();
            JsonNode endpoints = MoveDowntime.read(first);
            cmd = new ArrayList<>(tool);
            cmd.addAll(List.of("diagnose", "-A", "-o", "json", "--kubeconfig", endpoints.path("kubeconfig").asText(),
                    "--ec2-endpoint", endpoints.path("ec2").asText()));
            // One run first, not counted: the server's own first answers (its JIT, its world catching up with the
            // clock) are not the tool's cost.
            measure(cmd, base.resolve("large-warmup"));
            double[] l = median(cmd, base.resolve("large-run"), runs);
            out.put("diagnoseLargeSeconds", l[0]);
            out.put("diagnoseLargePeakMB", l[1]);
        } finally {
            serve.destroy();
            if (!serve.waitFor(10, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
        return out;
    }

    /** The command that starts zonemover as a new process. */
    private static List<String> tool() {
        Path launcher = Path.of("zonemover").toAbsolutePath();
        if (Files.isExecutable(launcher) && Files.exists(Path.of("target", "zonemover.jar"))) {
            return List.of(launcher.toString());
        }
        return java();
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.zonemover.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The median wall seconds and the median peak RSS of {@code runs} runs. */
    private static double[] median(List<String> cmd, Path work, int runs) throws IOException, InterruptedException {
        double[] seconds = new double[runs];
        double[] mb = new double[runs];
        for (int i = 0; i < runs; i++) {
            double[] m = measure(cmd, work.resolve(String.valueOf(i)));
            seconds[i] = m[0];
            mb[i] = m[1];
        }
        java.util.Arrays.sort(seconds);
        java.util.Arrays.sort(mb);
        return new double[]{seconds[runs / 2], mb[runs / 2]};
    }

    /** Wall seconds and peak RSS in MB of one run; fails on exit codes above 1 (1: findings). */
    private static double[] measure(List<String> cmd, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path time = Path.of("/usr/bin/time");
        if (Files.isExecutable(time)) {
            Path report = work.resolve("time.txt");
            List<String> timed = new ArrayList<>(List.of(time.toString(), "-f", "%e %M", "-o", report.toString()));
            timed.addAll(cmd);
            exec(timed, work.resolve("out.txt"));
            String[] f = Files.readAllLines(report).get(Files.readAllLines(report).size() - 1).trim().split("\\s+");
            return new double[]{Double.parseDouble(f[0]), Long.parseLong(f[1]) / 1024.0};
        }
        long started = System.nanoTime();
        Process p = start(cmd, work.resolve("out.txt"));
        long hwmKb = 0;
        Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        hwmKb = Math.max(hwmKb, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // Gone between the check and the read.
            }
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        check(cmd, p.waitFor(), work.resolve("out.txt"));
        return new double[]{seconds, hwmKb / 1024.0};
    }

    private static void exec(List<String> cmd, Path output) throws IOException, InterruptedException {
        check(cmd, start(cmd, output).waitFor(), output);
    }

    private static Process start(List<String> cmd, Path output) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static void check(List<String> cmd, int exit, Path output) throws IOException {
        if (exit > 1) {
            throw new IllegalStateException("bench: `" + String.join(" ", cmd) + "` exited " + exit + ": "
                    + Files.readString(output).strip().lines().reduce((a, b) -> b).orElse(""));
        }
    }
}
