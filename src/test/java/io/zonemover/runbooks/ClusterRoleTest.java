package io.zonemover.runbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.cli.Main;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.api.RbacPolicy;
import io.zonemover.sim.kube.api.RbacYaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roles of jobs/base (ClusterRole and Role, with their bindings) against the Kubernetes calls zonemover makes,
 * on simulated worlds whose API server enforces them ({@code sim init --rbac}) as every end-to-end test's world
 * now does:
 * <ul>
 * <li>what the roles do not grant is answered 403 in the real server's words, what they grant passes, and a
 *     command that makes a call they do not grant fails with that message (so does any end-to-end test whose
 *     code path makes one);</li>
 * <li>least privilege the other way: the representative commands (diagnose, migrate of a two-claim pod and a
 *     rolled-back one, snapshot, storageclass fix, cleanup, a small rebalance, a rescue) run against the roles, and every
 *     verb and resource the roles grant was used by one of them, or is named in {@link #USED_ELSEWHERE} with the
 *     command that uses it.</li>
 * </ul>
 */
class ClusterRoleTest {

    static final Path ROLES = Path.of("jobs", "base");
    static final String USER = "system:serviceaccount:zonemover:zonemover";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TIME_SCALE = 120;

    /** Granted, not made by the commands run here: who makes the call ("verb resource"), and why. */
    static final Map<String, String> USED_ELSEWHERE = Map.ofEntries(
            Map.entry("get events", "rescue --watch reads the scheduler's events of a Pending pod"),
            Map.entry("patch events", "rescue --watch: a repeated Event's count"),
            Map.entry("get poddisruptionbudgets", "rescue --watch checks the PodDisruptionBudget of the set it moves"),
            Map.entry("update nodes", "migrate --from-snapshot in a zone outage taints the dead node out-of-service "
                    + "(ZoneOutageRescueTest, runbooks/zone-outage.md)"),
            Map.entry("get configmaps", "jobs adopt reads the record of a move another machine started "
                    + "(CrashResumeTest)"),
            Map.entry("list volumeattachments", "rebalance --split-per-zone waits for a carried pod's old volume "
                    + "to leave its node before the copy's snapshot (SplitEndToEndTest); a move now snapshots as soon "
                    + "as EC2 shows the volume detaching"));

    @TempDir
    Path dir;

    @Test
    void whatTheRolesDoNotGrantIsAnswered403InTheRealServersWordsAndWhatTheyGrantPasses() throws Exception {
        WorldStore store = world(dir.resolve("world"), "stuck-pod");
        HttpClient http = HttpClient.newHttpClient();
        try (SimServers servers = SimServers.start(store, 0, 0)) {
            String base = servers.kubeUri().toString();
            forbidden(http, base, "GET", "/api/v1/secrets", "secrets is forbidden: User \"" + USER
                    + "\" cannot list resource \"secrets\" in API group \"\" at the cluster scope", "secrets", null);
            forbidden(http, base, "POST", "/api/v1/namespaces/default/pods", "pods is forbidden: User \"" + USER
                    + "\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"", "pods", null);
            forbidden(http, base, "DELETE", "/api/v1/namespaces/default/pods", "pods is forbidden: User \"" + USER
                    + "\" cannot deletecollection resource \"pods\" in API group \"\" in the namespace \"default\"",
                    "pods", null);
            forbidden(http, base, "GET", "/api/v1/namespaces/default/pods?watch=true", "pods is forbidden: User \""
                    + USER + "\" cannot watch resource \"pods\" in API group \"\" in the namespace \"default\"", "pods",
                    null);
            forbidden(http, base, "PATCH", "/api/v1/namespaces/default/persistentvolumeclaims/www-web-0",
                    "persistentvolumeclaims \"www-web-0\" is forbidden: User \"" + USER + "\" cannot patch resource "
                            + "\"persistentvolumeclaims\" in API group \"\" in the namespace \"default\"",
                    "persistentvolumeclaims", "www-web-0");
            forbidden(http, base, "POST", "/api/v1/namespaces/default/pods/web-0/eviction", "pods \"web-0\" is "
                    + "forbidden: User \"" + USER + "\" cannot create resource \"pods/eviction\" in API group \"\" in "
                    + "the namespace \"default\"", "pods", "web-0");
            forbidden(http, base, "DELETE", "/apis/storage.k8s.io/v1/volumeattachments/va-1",
                    "volumeattachments.storage.k8s.io \"va-1\" is forbidden: User \"" + USER + "\" cannot delete "
                            + "resource \"volumeattachments\" in API group \"storage.k8s.io\" at the cluster scope",
                    "volumeattachments", "va-1");
            // The Lease is granted in zonemover's namespace only (a Role), never elsewhere.
            forbidden(http, base, "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/zonemover-rescue",
                    "leases.coordination.k8s.io \"zonemover-rescue\" is forbidden: User \"" + USER + "\" cannot get "
                            + "resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"",
                    "leases", "zonemover-rescue");
            forbidden(http, base, "GET", "/apis/coordination.k8s.io/v1/leases", "leases.coordination.k8s.io is "
                    + "forbidden: User \"" + USER + "\" cannot list resource \"leases\" in API group "
                    + "\"coordination.k8s.io\" at the cluster scope", "leases", null);
            forbidden(http, base, "GET", "/metrics", "forbidden: User \"" + USER + "\" cannot get path \"/metrics\"",
                    null, null);

            assertThat(send(http, base, "GET", "/apis/coordination.k8s.io/v1/namespaces/zonemover/leases/zonemover-rescue")
                    .statusCode()).as("granted in zonemover: the server itself answers (no such Lease yet)").isEqualTo(404);
            for (String granted : List.of("/api/v1/pods", "/api/v1/namespaces/default/pods/web-0", "/api/v1/nodes",
                    "/apis/apps/v1/namespaces/default/statefulsets/web", "/apis/storage.k8s.io/v1/volumeattachments",
                    "/api", "/apis", "/version", "/openapi/v3", "/healthz")) {
                HttpResponse<String> r = send(http, base, "GET", granted);
                assertThat(r.statusCode()).as(granted + ": " + r.body()).isEqualTo(200);
            }
        }
        assertThat(store.calls().read().show().get("kube").toString()).as("a forbidden call is counted: it was made")
                .contains("list secrets=1", "create pods=1");
    }

    @Test
    void aCommandThatMakesACallTheRolesDoNotGrantFailsWithTheForbiddenMessageAndLeavesNothingHalfDone()
            throws Exception {
        Path roles = rolesWithout("pods", "delete");
        String world = dir.resolve("world").toString();
        Run init = run("sim", "init", world, "--scenario", "stuck-pod", "--time-scale", "120", "--rbac",
                roles.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains("authorizes every request as " + USER);

        Run move = run("--sim", world, "migrate", "default/www-web-3", "--to", "auto", "--yes", "--poll-interval",
                "100ms", "-o", "json");
        assertThat(move.exit()).as(move.out() + move.err()).isEqualTo(1);
        assertThat(move.out() + move.err()).contains("pods \"web-3\" is forbidden: User \"" + USER + "\" cannot delete "
                + "resource \"pods\" in API group \"\" in the namespace \"default\"");
        Map<String, Object> view = WorldStore.open(Path.of(world)).show();
        assertThat(view.get("statefulsets").toString()).as("rolled back: the StatefulSet is there again")
                .contains("name=web");
    }

    @Test
    void simInitRefusesManifestsThatBindNoRole() {
        String world = dir.resolve("world").toString();
        Run init = run("sim", "init", world, "--scenario", "healthy", "--rbac", ROLES.resolve("namespace.yaml").toString());
        assertThat(init.exit()).isEqualTo(2);
        assertThat(init.err().strip()).startsWith("zonemover: error: --rbac ").contains("no RoleBinding or ClusterRoleBinding").doesNotContain("\n");
        assertThat(Files.exists(Path.of(world, WorldStore.STATE_FILE))).as("nothing created").isFalse();
    }

    @Test
    void everyGrantOfTheRolesIsUsedByACommandAndEveryCallTheCommandsMakeIsGranted() throws Exception {
        Set<String> used = new TreeSet<>();

        Path claims = dir.resolve("two-claims");
        world(claims, "two-claims");
        String w = claims.toString();
        Run diagnose = ok(1, "--sim", w, "diagnose", "-A", "-o", "json");
        assertThat(JSON.readTree(diagnose.out()).get("findings")).as("diagnose exits 1 on findings").isNotEmpty();
        ok(0, "--sim", w, "snapshot", "-A", "--keep", "2", "--yes");
        ok(0, "--sim", w, "storageclass", "fix", "gp2", "--yes");
        ok(0, "--sim", w, "migrate", "--pod", "default/db-3", "--to", "auto", "--yes", "--poll-interval", "100ms");
        ok(0, "sim", "advance", w, "8d");
        Run cleanup = ok(0, "--sim", w, "cleanup", "--yes");
        assertThat(cleanup.out()).contains("2 volume(s)");
        ok(0, "--sim", w, "jobs", "list");
        used.addAll(calls(claims));

        Path fleet = dir.resolve("unbalanced");
        world(fleet, "unbalanced");
        String f = fleet.toString();
        ok(0, "sim", "fault", f, "--never-start", "shop/catalog-0");
        Run rolledBack = ok(1, "--sim", f, "migrate", "--pod", "shop/catalog-0", "--to", "us-east-1c", "--yes",
                "--ready-timeout", "3s", "--poll-interval", "100ms", "-o", "json");
        assertThat(JSON.readTree(rolledBack.out()).get("outcome").asText()).isEqualTo("ROLLED_BACK");
        ok(0, "sim", "fault", f, "--clear");
        Path plan = dir.resolve("orders.yaml");
        ok(0, "--sim", f, "rebalance", "plan", "-n", "shop", "sts/orders", "--spread", "--out", plan.toString());
        Run apply = ok(0, "--sim", f, "rebalance", "apply", plan.toString(), "--yes", "--poll-interval", "100ms",
                "-o", "json");
        assertThat(JSON.readTree(apply.out()).get("status").asText()).isEqualTo("COMPLETED");
        used.addAll(calls(fleet));

        Path rescue = dir.resolve("auto-rescue");
        world(rescue, "auto-rescue");
        Run once = ok(0, "--sim", rescue.toString(), "-o", "json", "rescue", "--once", "--grace", "1s",
                "--poll-interval", "100ms");
        assertThat(once.out()).contains("\"completed\"");
        used.addAll(calls(rescue));

        Set<String> granted = granted(RbacYaml.read(List.of(ROLES)));
        assertThat(used).as("every call the commands made is granted (a 403 a command swallowed shows here)")
                .isSubsetOf(granted);
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        unused.removeAll(USED_ELSEWHERE.keySet());
        assertThat(unused).as("granted but used by no command: drop it from jobs/base, or name its command in "
                + "USED_ELSEWHERE; the commands made " + used).isEmpty();
        assertThat(granted).as("USED_ELSEWHERE names only grants").containsAll(USED_ELSEWHERE.keySet());
    }

    /** "verb resource" for every verb and resource the policy grants (its rules have no wildcards). */
    static Set<String> granted(RbacPolicy policy) {
        Set<String> out = new TreeSet<>();
        for (RbacPolicy.Rule rule : policy.rules()) {
            for (String resource : rule.resources()) {
                for (String verb : rule.verbs()) {
                    out.add(verb + " " + resource);
                }
            }
        }
        return out;
    }

    /** The Kubernetes calls the world received, "verb resource", discovery left out (every user may read it). */
    @SuppressWarnings("unchecked")
    private static Set<String> calls(Path world) {
        Map<String, Object> kube = (Map<String, Object>) WorldStore.open(world).calls().read().show().get("kube");
        Set<String> out = new TreeSet<>(kube.keySet());
        out.removeIf(c -> c.endsWith(" discovery"));
        return out;
    }

    private static WorldStore world(Path dir, String scenario) {
        WorldStore store = WorldStore.create(dir, Scenarios.create(scenario, Map.of(), System.currentTimeMillis()),
                TIME_SCALE, scenario);
        store.enforce(RbacYaml.read(List.of(ROLES)));
        return store;
    }

    /** jobs/base's roles with {@code verb} taken away from every rule on {@code resource}, in a directory. */
    @SuppressWarnings("unchecked")
    private Path rolesWithout(String resource, String verb) throws IOException {
        Path out = Files.createDirectories(dir.resolve("roles"));
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(ROLES.resolve("clusterrole.yaml")))) {
            Map<String, Object> d = (Map<String, Object>) doc;
            if ("ClusterRole".equals(d.get("kind"))) {
                List<Map<String, Object>> rules = new ArrayList<>();
                for (Map<String, Object> rule : (List<Map<String, Object>>) d.get("rules")) {
                    if (((List<String>) rule.get("resources")).contains(resource)) {
                        List<String> verbs = new ArrayList<>((List<String>) rule.get("verbs"));
                        verbs.remove(verb);
                        rule.put("verbs", verbs);
                    }
                    if (!((List<?>) rule.get("verbs")).isEmpty()) {
                        rules.add(rule);
                    }
                }
                d.put("rules", rules);
            }
            docs.add(d);
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        try (Writer writer = Files.newBufferedWriter(out.resolve("clusterrole.yaml"))) {
            new Yaml(options).dumpAll(docs.iterator(), writer);
        }
        Files.copy(ROLES.resolve("role.yaml"), out.resolve("role.yaml"));
        assertThat(granted(RbacYaml.read(List.of(out)))).doesNotContain(verb + " " + resource)
                .contains("get " + resource);
        return out;
    }

    private static void forbidden(HttpClient http, String base, String method, String path, String message,
                                  String kind, String name) throws Exception {
        HttpResponse<String> r = send(http, base, method, path);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(403);
        JsonNode status = JSON.readTree(r.body());
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("status").asText()).isEqualTo("Failure");
        assertThat(status.get("reason").asText()).isEqualTo("Forbidden");
        assertThat(status.get("code").asInt()).isEqualTo(403);
        assertThat(status.get("message").asText()).isEqualTo(message);
        if (kind != null) {
            assertThat(status.at("/details/kind").asText()).isEqualTo(kind);
            assertThat(status.at("/details/name").asText(null)).isEqualTo(name);
        }
    }

    private static HttpResponse<String> send(HttpClient http, String base, String method, String path)
            throws Exception {
        HttpRequest.BodyPublisher body = method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{}");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).method(method, body)
                .header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json")
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run ok(int expected, String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(String.join(" ", Arrays.asList(args)) + "\n" + r.out() + r.err()).isEqualTo(expected);
        return r;
    }
}
