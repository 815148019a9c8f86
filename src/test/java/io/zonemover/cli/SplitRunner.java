package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.jobs.SplitService;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the split engine against a simulated world the way the command line will once it wires
 * {@code rebalance plan --split-per-zone} and {@code rebalance apply} (test-only until then):
 * {@code --sim DIR apply NAMESPACE/NAME [ZONE,ZONE...]} plans and applies at once; {@code --sim DIR resume ID}
 * resumes. Polls every 100 ms. Progress goes to stderr, the result as JSON to
 * stdout; the exit code is the CLI's (0 done, 1 failed, 2 bad input, 3 refused).
 */
public final class SplitRunner {

    private SplitRunner() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        List<String> rest = Arrays.asList(args);
        RootCommand root = new RootCommand(InputStream.nullInputStream());
        new CommandLine(root).parseArgs(rest.get(0), rest.get(1));
        try (JobEngine engine = JobEngine.start(root.connections(), new ProgressPrinter(err), 100)) {
            SplitService splits = engine.splits();
            SplitService.Result result;
            if (rest.get(2).equals("apply")) {
                String[] ref = rest.get(3).split("/");
                List<String> zones = rest.size() > 4 ? List.of(rest.get(4).split(",")) : List.of();
                FleetPlan plan = splits.plan(ref[0], ref[1], zones);
                plan.notes().forEach(n -> err.println("plan: " + n));
                result = splits.apply(plan);
            } else {
                result = splits.resume(rest.get(3));
            }
            out.println(Json.write(result));
            return "COMPLETED".equals(result.status()) ? 0 : 1;
        } catch (ZonemoverException e) {
            err.println("zonemover: " + e.kind() + ": " + e.getMessage());
            return e.kind().exitCode();
        } finally {
            root.close();
            out.flush();
            err.flush();
        }
    }
}
