package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The real kubectl 1.35 against the served world ({@code healthy} scenario: StatefulSet default/web, 3 replicas
 * over us-east-1b/c/d, time scale 60): the everyday commands of an SRE behave as on a real cluster. kubectl is
 * found through $KUBECTL or where {@code .ci/install-kubectl} puts it; without it the test fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlTest {

    static final String INSTALLED = "/usr/local/lib/zonemover/kubectl-v1.35/kubectl";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path kubectl;
    static WorldStore store;
    static SimServers servers;
    static Path kubeconfig;

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        String env = System.getenv("KUBECTL");
        Path bin = Path.of(env != null && !env.isBlank() ? env : INSTALLED);
        if (!Files.isExecutable(bin)) {
            fail("kubectl 1.35 not found at " + bin + ": run .ci/install-kubectl (CI runs it before mvn), or set "
                    + "KUBECTL to a kubectl 1.35 binary");
        }
        kubectl = bin;
        World world = Scenarios.create("healthy", Map.of(), System.currentTimeMillis());
        store = WorldStore.create(dir.resolve("world"), world, 60.0, "healthy");
        servers = SimServers.start(store, 0, 0);
        kubeconfig = servers.writeKubeconfig(dir.resolve("kubeconfig"));
        Run v = kubectl("version", "--client");
        assertThat(v.out()).as("kubectl at " + bin + " must be 1.35").contains("v1.35.");
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    static Run kubectl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(kubectl.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", dir.toString());
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("kubectl " + String.join(" ", args) + " did not finish in 45 s; output:\n" + Files.readString(out)
                    + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Runs kubectl and requires exit code 0. */
    static String ok(String... args) throws IOException, InterruptedException {
        Run r = kubectl(args);
        assertThat(r.exit()).as("kubectl " + String.join(" ", args) + "\n" + r.all()).isZero();
        return r.out();
    }

    static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).toList();
    }

    static List<String> cells(String line) {
        return Arrays.asList(line.trim().split("\\s{2,}"));
    }

    static JsonNode json(String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        a.add("-o");
        a.add("json");
        return JSON.readTree(ok(a.toArray(String[]::new)));
    }

    /** A copy of the stored object, or null. */
    static ObjectNode find(ResourceType t, String ns, String name) {
        return store.read(w -> {
            ObjectNode o = w.kube().find(t, ns, name);
            return o == null ? null : o.deepCopy();
        });
    }

    static void eventually(String what, java.util.concurrent.Callable<Boolean> check) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!check.call()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static final String AGE = "\\d+(s|m\\d*s?|h\\d*m?)";

    // ------------------------------------------------------------------ get

    @Test
    @Order(1)
    void getShowsTheColumnsOfARealCluster() throws Exception {
        List<String> pods = lines(ok("get", "pods"));
        assertThat(cells(pods.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(pods).hasSize(4);
        for (int i = 0; i < 3; i++) {
            List<String> row = cells(pods.get(i + 1));
            assertThat(row.subList(0, 4)).containsExactly("web-" + i, "1/1", "Running", "0");
            assertThat(row.get(4)).as("AGE is a wall-clock age, not <invalid>").matches(AGE);
        }
        List<String> wide = lines(ok("get", "pods", "-o", "wide"));
        assertThat(cells(wide.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                "NOMINATED NODE", "READINESS GATES");
        String node0 = Json.text(find(ResourceType.PODS, "default", "web-0"), "spec", "nodeName");
        assertThat(cells(wide.get(1)).get(6)).isEqualTo(node0);
        assertThat(cells(wide.get(1)).subList(7, 9)).containsExactly("<none>", "<none>");

        List<String> pvcs = lines(ok("get", "pvc"));
        assertThat(cells(pvcs.get(0))).containsExactly("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES",
                "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE");
        List<String> pvc0 = cells(pvcs.get(1));
        assertThat(pvc0.get(0)).isEqualTo("www-web-0");
        assertThat(pvc0.get(1)).isEqualTo("Bound");
        assertThat(pvc0.subList(3, 7)).containsExactly("20Gi", "RWO", "gp3", "<unset>");

        List<String> pvs = lines(ok("get", "pv"));
        assertThat(cells(pvs.get(0))).containsExactly("NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS",
                "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE");
        assertThat(pvs.subList(1, pvs.size())).anySatisfy(l -> assertThat(l).contains("default/www-web-0")
                .contains("Bound").contains("Delete").contains("gp3"));

        List<String> nodes = lines(ok("get", "nodes"));
        assertThat(cells(nodes.get(0))).containsExactly("NAME", "STATUS", "ROLES", "AGE", "VERSION");
        assertThat(cells(nodes.get(1)).subList(1, 3)).containsExactly("Ready", "<none>");

        List<String> sts = lines(ok("get", "statefulsets"));
        assertThat(cells(sts.get(0))).containsExactly("NAME", "READY", "AGE");
        assertThat(cells(sts.get(1)).subList(0, 2)).containsExactly("web", "3/3");

        List<String> sc = lines(ok("get", "storageclass"));
        assertThat(cells(sc.get(0))).containsExactly("NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION", "AGE");
        assertThat(cells(sc.get(1)).subList(0, 4)).containsExactly("gp3 (default)", "ebs.csi.aws.com", "Delete",
                "WaitForFirstConsumer");

        List<String> all = lines(ok("get", "pods", "-A", "--show-labels"));
        assertThat(cells(all.get(0))).containsExactly("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE",
                "LABELS");
        assertThat(cells(all.get(1)).get(0)).isEqualTo("default");
        assertThat(all.get(1)).contains("app=nginx");

        // creationTimestamp reads as wall-clock time: not in the client's future.
        JsonNode pod = json("get", "pod", "web-0");
        long created = java.time.Instant.parse(pod.path("metadata").path("creationTimestamp").asText())
                .toEpochMilli();
        assertThat(created).isLessThanOrEqualTo(System.currentTimeMillis() + 1000);

        List<String> everything = lines(ok("get", "all"));
        assertThat(everything).anySatisfy(l -> assertThat(l).startsWith("pod/web-0"))
                .anySatisfy(l -> assertThat(l).startsWith("statefulset.apps/web"));

        List<String> events = lines(ok("get", "events"));
        assertThat(cells(events.get(0))).containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        assertThat(events).anySatisfy(l -> assertThat(l).contains("pod/web-0"));
    }

    @Test
    @Order(2)
    void describeAndEvents() throws Exception {
        String d = ok("describe", "pod", "web-0");
        assertThat(d).contains("Name:").contains("web-0").containsPattern("Status:\\s+Running")
                .contains("Controlled By:  StatefulSet/web").contains("Events:");
        assertThat(ok("describe", "node", "ip-10-0-11-21.ec2.internal")).contains("Unschedulable:      false")
                .contains("topology.kubernetes.io/zone=us-east-1b");
        assertThat(ok("describe", "statefulset", "web")).contains("Replicas:").contains("3 desired");
        assertThat(ok("explain", "statefulset.spec.replicas")).contains("StatefulSet").contains("replicas")
                .contains("<integer>");
        List<String> ev = lines(ok("events"));
        assertThat(cells(ev.get(0))).containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        assertThat(ev.subList(1, ev.size())).anySatisfy(l -> assertThat(l).contains("Pod/web-0"));
    }

    // ------------------------------------------------------------------ label, annotate, cordon

    @Test
    @Order(3)
    void labelAnnotateCordon() throws Exception {
        assertThat(ok("label", "pod", "web-0", "tier=frontend")).contains("pod/web-0 labeled");
        assertThat(ok("annotate", "pod", "web-0", "note=hello")).contains("pod/web-0 annotated");
        assertThat(Json.labels(find(ResourceType.PODS, "default", "web-0")))
                .containsEntry("tier", "frontend").containsEntry("app", "nginx");
        assertThat(lines(ok("get", "pods", "-l", "tier=frontend", "-o", "name"))).containsExactly("pod/web-0");
        assertThat(ok("label", "pod", "web-0", "tier-")).contains("pod/web-0 unlabeled");

        String node = "ip-10-0-11-21.ec2.internal";
        assertThat(ok("cordon", node)).contains("node/" + node + " cordoned");
        List<String> row = cells(lines(ok("get", "node", node)).get(1));
        assertThat(row.get(1)).isEqualTo("Ready,SchedulingDisabled");
        assertThat((find(ResourceType.NODES, null, node).path("spec").path("unschedulable")
                .asBoolean())).isTrue();
        assertThat(ok("uncordon", node)).contains("node/" + node + " uncordoned");
        assertThat(cells(lines(ok("get", "node", node)).get(1)).get(1)).isEqualTo("Ready");

        // drain: cordons, evicts through the disruption budget, and waits until the StatefulSet pod is replaced.
        String node0 = Json.text(find(ResourceType.PODS, "default", "web-0"), "spec", "nodeName");
        ok("create", "poddisruptionbudget", "web", "--selector=app=nginx", "--min-available=3");
        Run blocked = kubectl("drain", node0, "--ignore-daemonsets", "--timeout=3s");
        assertThat(blocked.exit()).as(blocked.all()).isNotZero();
        assertThat(blocked.all()).contains("Cannot evict pod as it would violate the pod's disruption budget");
        ok("delete", "pdb", "web");
        Run drained = kubectl("drain", node0, "--ignore-daemonsets", "--timeout=30s");
        assertThat(drained.exit()).as(drained.all()).isZero();
        assertThat(drained.out()).contains("pod/web-0 evicted").contains("node/" + node0 + " drained");
        ok("uncordon", node0);
        ok("wait", "--for=condition=Ready", "pod/web-0", "--timeout=30s");
        assertThat(Json.text(find(ResourceType.PODS, "default", "web-0"), "spec", "nodeName")).isNotEqualTo(node0);
    }

    // ------------------------------------------------------------------ patch

    @Test
    @Order(4)
    void patchMergeJsonAndStrategic() throws Exception {
        ok("patch", "pod", "web-1", "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"m\":\"1\"}}}");
        ok("patch", "pod", "web-1", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"j\":\"2\"}}]");
        JsonNode p = find(ResourceType.PODS, "default", "web-1");
        assertThat(p.path("metadata").path("labels").path("m").asText()).isEqualTo("1");
        assertThat(p.path("metadata").path("annotations").path("j").asText()).isEqualTo("2");

        // Strategic merge: finalizers merge (pvc-protection stays).
        assertThat(ok("patch", "pvc", "www-web-2", "-p", "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}"))
                .contains("persistentvolumeclaim/www-web-2 patched");
        assertThat((find(ResourceType.PVCS, "default", "www-web-2").path("metadata")
                .path("finalizers").toString())).contains("kubernetes.io/pvc-protection").contains("example.com/hold");
        ok("patch", "pvc", "www-web-2", "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers/1\"}]");
        assertThat((find(ResourceType.PVCS, "default", "www-web-2").path("metadata")
                .path("finalizers").toString())).isEqualTo("[\"kubernetes.io/pvc-protection\"]");
    }

    // ------------------------------------------------------------------ watch, delete, wait

    @Test
    @Order(5)
    void watchSeesAStatefulSetPodDeletedAndRecreated() throws Exception {
        Path out = dir.resolve("watch.txt");
        ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "get", "pods", "-w", "--output-watch-events");
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", dir.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(out.toFile());
        Process watch = pb.start();
        try {
            eventually("the watch's first rows", () -> Files.readString(out).contains("web-2"));
            String oldUid = Json.uid(find(ResourceType.PODS, "default", "web-1"));
            Run del = kubectl("delete", "pod", "web-1", "--timeout=30s");
            assertThat(del.exit()).as(del.all()).isZero();
            assertThat(del.out()).contains("pod \"web-1\" deleted");
            Run wait = kubectl("wait", "--for=condition=Ready", "pod/web-1", "--timeout=30s");
            assertThat(wait.exit()).as(wait.all()).isZero();
            assertThat(wait.out()).contains("pod/web-1 condition met");
            assertThat(Json.uid(find(ResourceType.PODS, "default", "web-1"))).isNotEqualTo(oldUid);
            eventually("the watch to show web-1 deleted and running again", () -> {
                String s = Files.readString(out);
                return s.contains("DELETED") && s.lines().filter(l -> l.contains("web-1") && l.contains("Running"))
                        .count() >= 2;
            });
            String s = Files.readString(out);
            assertThat(s).contains("Terminating");
            assertThat(cells(lines(s).get(0))).containsExactly("EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE");
        } finally {
            watch.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------ scale, rollout status

    @Test
    @Order(6)
    void scaleAndRolloutStatus() throws Exception {
        assertThat(ok("scale", "statefulset", "web", "--replicas=4")).contains("statefulset.apps/web scaled");
        Run st = kubectl("rollout", "status", "statefulset/web", "--timeout=40s");
        assertThat(st.exit()).as(st.all()).isZero();
        // As on a real cluster, whose API defaults rollingUpdate.partition to 0.
        assertThat(st.out()).contains("partitioned roll out complete: 4 new pods have been updated");
        assertThat(cells(lines(ok("get", "sts", "web")).get(1)).get(1)).isEqualTo("4/4");
        ok("wait", "--for=condition=Ready", "pod/web-3", "--timeout=30s");
        // A template change rolls out; SMP merges the container by name and keeps its image.
        ok("patch", "statefulset", "web", "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                + "\"nginx\",\"env\":[{\"name\":\"MODE\",\"value\":\"blue\"}]}]}}}}");
        JsonNode c = find(ResourceType.STATEFULSETS, "default", "web")
                .path("spec").path("template").path("spec").path("containers");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).path("image").asText()).isEqualTo("registry.k8s.io/nginx-slim:0.27");
        assertThat(c.get(0).path("env").get(0).path("value").asText()).isEqualTo("blue");
        ok("patch", "statefulset", "web", "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                + "\"nginx\",\"env\":[{\"name\":\"MODE\",\"$patch\":\"delete\"}]}]}}}}");
        JsonNode c2 = find(ResourceType.STATEFULSETS, "default", "web")
                .path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(c2.path("env").size()).isZero();
        Run st2 = kubectl("rollout", "status", "statefulset/web", "--timeout=40s");
        assertThat(st2.exit()).as(st2.all()).isZero();
        assertThat(ok("scale", "statefulset", "web", "--replicas=3")).contains("scaled");
    }

    // ------------------------------------------------------------------ create, apply, delete

    static final String CLAIM = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: extra
            spec:
              accessModes: [ReadWriteOnce]
              storageClassName: gp3
              resources:
                requests:
                  storage: 5Gi
            """;

    static String db(int replicas, String image) {
        return """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: db
                  labels: {app: db}
                spec:
                  replicas: %d
                  serviceName: db
                  selector:
                    matchLabels: {app: db}
                  template:
                    metadata:
                      labels: {app: db}
                    spec:
                      containers:
                      - name: db
                        image: %s
                        resources:
                          requests: {cpu: 100m, memory: 64Mi}
                """.formatted(replicas, image);
    }

    static Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    @Order(7)
    void createApplyAndDelete() throws Exception {
        Path claim = file("claim.yaml", CLAIM);
        assertThat(ok("create", "-f", claim.toString())).contains("persistentvolumeclaim/extra created");
        Run again = kubectl("create", "-f", claim.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("AlreadyExists").contains("\"extra\" already exists");

        Path typo = file("typo.yaml", CLAIM.replace("name: extra", "name: typo").replace("accessModes:",
                "accesModes:"));
        Run strict = kubectl("create", "-f", typo.toString());
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains("strict decoding error: unknown field \"spec.accesModes\"");

        Path f = file("db.yaml", db(1, "postgres:16"));
        assertThat(ok("apply", "-f", f.toString())).contains("statefulset.apps/db created");
        assertThat(ok("apply", "-f", f.toString())).contains("statefulset.apps/db unchanged");
        file("db.yaml", db(2, "postgres:16"));
        Run configured = kubectl("apply", "-f", f.toString());
        assertThat(configured.exit()).as(configured.all()).isZero();
        assertThat(configured.out()).contains("statefulset.apps/db configured");
        assertThat(configured.err()).as("the patch is computed from the served OpenAPI v3 schema").isEmpty();
        assertThat((find(ResourceType.STATEFULSETS, "default", "db").path("spec")
                .path("replicas").asInt())).isEqualTo(2);
        ok("rollout", "status", "statefulset/db", "--timeout=40s");
        // diff and --dry-run=server: the server computes the result and changes nothing.
        file("db.yaml", db(3, "postgres:16"));
        Run diff = kubectl("diff", "-f", f.toString());
        assertThat(diff.exit()).as(diff.all()).isEqualTo(1);
        assertThat(diff.out()).contains("-  replicas: 2").contains("+  replicas: 3");
        assertThat(ok("apply", "--dry-run=server", "-f", f.toString()))
                .contains("statefulset.apps/db configured (server dry run)");
        assertThat(find(ResourceType.STATEFULSETS, "default", "db").path("spec").path("replicas").asInt())
                .isEqualTo(2);

        // Server-side apply: created, then a field dropped from the configuration is removed.
        Path cm = file("cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  a: "1"
                  b: "2"
                """);
        assertThat(ok("apply", "--server-side", "-f", cm.toString())).contains("configmap/settings serverside-applied");
        file("cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  a: "3"
                """);
        ok("apply", "--server-side", "-f", cm.toString());
        JsonNode settings = json("get", "configmap", "settings", "--show-managed-fields");
        assertThat(settings.path("data").toString()).isEqualTo("{\"a\":\"3\"}");
        assertThat(settings.path("metadata").path("managedFields").toString()).contains("\"manager\":\"kubectl\"")
                .contains("\"operation\":\"Apply\"");
        JsonNode sts = json("get", "statefulset", "web", "--show-managed-fields");
        assertThat(sts.path("metadata").path("managedFields").toString()).contains("kubectl");

        assertThat(ok("delete", "statefulset", "db", "--dry-run=server")).contains("(server dry run)");
        assertThat(find(ResourceType.STATEFULSETS, "default", "db")).isNotNull();

        // Orphaning delete: the StatefulSet goes, its pods stay.
        Run del = kubectl("delete", "statefulset", "db", "--cascade=orphan", "--timeout=30s");
        assertThat(del.exit()).as(del.all()).isZero();
        assertThat(del.out()).contains("statefulset.apps \"db\" deleted");
        assertThat(find(ResourceType.STATEFULSETS, "default", "db")).isNull();
        assertThat(find(ResourceType.PODS, "default", "db-0")).isNotNull();
        assertThat(kubectl("get", "statefulset", "db").err()).contains("NotFound");
    }
}
