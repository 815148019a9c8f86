package io.zonemover.cli;

import io.zonemover.sim.ApiCalls;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** `zonemover sim calls`: the API calls a world's endpoints received, and starting the count again. */
@Command(name = "calls", description = {"Prints how many requests the world's endpoints received, from every process that "
        + "served it: EC2 per Action (and how many were answered RequestLimitExceeded or another error), Kubernetes per "
        + "verb and resource. `sim show --json` carries the same counts under `apiCalls`.",
        "With --reset, the counts start again from zero after they are printed (to measure one phase of a run)."})
final class SimCallsCommand extends BaseCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--reset", description = "Clear the counts after printing them.")
    boolean reset;

    @Option(names = "--json", description = "Print JSON: {ec2: {Action: n}, ec2Throttled, ec2Errors, kube: {\"verb resource\": n}}; same as -o json.")
    boolean json;

    @Override
    public Integer call() {
        WorldStore store = WorldStore.open(dir);
        ApiCalls calls = reset ? store.calls().reset() : store.calls().read();
        if (json || global().json()) {
            out().println(Json.write(calls.show()));
        } else {
            print(calls);
        }
        if (reset) {
            err().println("Counts reset.");
        }
        return 0;
    }

    private void print(ApiCalls calls) {
        Table table = Table.of("API", "CALL", "COUNT");
        Map<String, Object> shown = calls.show();
        for (String api : new String[] {"ec2", "kube"}) {
            ((Map<?, ?>) shown.get(api)).forEach((name, n) -> table.row(api.equals("ec2") ? "EC2" : "Kubernetes", name, n));
        }
        table.row("EC2", "(total)", calls.ec2Total());
        table.row("EC2", "(throttled)", calls.ec2Throttled());
        table.row("EC2", "(other errors)", calls.ec2Errors());
        table.row("Kubernetes", "(total)", calls.kubeTotal());
        table.print(out());
    }
}
