package io.zonemover.cluster;

import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1EventList;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimList;
import io.kubernetes.client.openapi.models.V1PersistentVolumeList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.diagnose.Diagnosis;
import io.zonemover.diagnose.Finding;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streamed list reading ({@link ListStreamer}) gives the very objects client-java's own
 * String-then-Gson path gives, and so the very findings; and errors and paging behave as before.
 */
class ClusterReaderStreamingTest {

    @TempDir
    Path dir;

    /** The snapshot as client-java's own list calls read it: the reference. */
    private static ClusterSnapshot readTheOldWay(ApiClient client) throws Exception {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        StorageV1Api storage = new StorageV1Api(client);
        return new ClusterSnapshot(null, core.listNode().execute().getItems(),
                core.listPodForAllNamespaces().execute().getItems(),
                core.listPersistentVolumeClaimForAllNamespaces().execute().getItems(),
                core.listPersistentVolume().execute().getItems(),
                storage.listStorageClass().execute().getItems(),
                apps.listStatefulSetForAllNamespaces().execute().getItems(),
                core.listEventForAllNamespaces().execute().getItems(),
                core.listConfigMapForAllNamespaces().labelSelector(ClusterReader.MANAGED_BY_SELECTOR).execute()
                        .getItems(), List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stuck-pod", "unbalanced", "healthy", "large"})
    void streamedSnapshotEqualsClientJavasAndGivesTheSameFindings(String scenario) throws Exception {
        Map<String, String> options = "large".equals(scenario)
                ? Map.of("pods", "900", "claims", "450", "nodes", "30", "zones", "3") : Map.of();
        World world = Scenarios.create(scenario, options, System.currentTimeMillis());
        // Real time (scale 1): at 60x the scheduler's retry can update an event between the two reads.
        WorldStore.create(dir, world, 1, scenario);
        try (SimServers sim = SimServers.start(WorldStore.open(dir), 0, 0)) {
            ApiClient client = new ClientBuilder().setBasePath(sim.kubeUri().toString()).build();
            ClusterSnapshot reference = readTheOldWay(client);
            ClusterSnapshot streamed = new ClusterReader(client).read(null);

            assertFalse(reference.pods().isEmpty());
            assertEquals(reference.nodes(), streamed.nodes());
            assertEquals(reference.pods(), streamed.pods());
            assertEquals(reference.claims(), streamed.claims());
            assertEquals(reference.pvs(), streamed.pvs());
            assertEquals(reference.storageClasses(), streamed.storageClasses());
            assertEquals(reference.statefulSets(), streamed.statefulSets());
            assertEquals(reference.events(), streamed.events());
            assertEquals(reference.configMaps(), streamed.configMaps());
            assertEquals(reference.placementNodes(), streamed.placementNodes());

            List<Map<String, Object>> expected = Diagnosis.of(reference).stream().map(Finding::toJson).toList();
            List<Map<String, Object>> actual = Diagnosis.of(streamed).stream().map(Finding::toJson).toList();
            assertEquals(expected, actual);
        }
    }

    /** Hand-written lists with the shapes a real API server writes and the simulator does not. */
    @Test
    void sameObjectsAsClientJavaForEveryShape() throws Exception {
        String pods = """
                {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc","remainingItemCount":3},
                 "items":[
                  {"metadata":{"name":"a","namespace":"n","uid":"u1","creationTimestamp":"2024-02-29T23:59:59Z",
                     "deletionTimestamp":"2024-03-01T00:00:00.123456Z","labels":{"x":"y"},
                     "managedFields":[{"manager":"kubectl","operation":"Update","time":"2024-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}],
                     "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"s","uid":"o","controller":true}]},
                   "spec":{"nodeName":null,"overhead":{"cpu":"100m","memory":"1.5Gi"},
                     "containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"0.25","memory":"128974848"},"limits":{"cpu":"1","memory":"129e6"}},
                        "ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"path":"/","port":"http"}},"readinessProbe":{"tcpSocket":{"port":8080}}}],
                     "initContainers":[{"name":"i","image":"i","resources":{"requests":{"cpu":"2","memory":"1G"}}}],
                     "volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"data-a"}},{"name":"e","emptyDir":{"sizeLimit":"1Gi"}}],
                     "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":300}],
                     "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                        {"matchExpressions":[{"key":"topology.kubernetes.io/zone","operator":"In","values":["us-east-1a"]}]}]}}},
                     "nodeSelector":{"disk":"ssd"}},
                   "status":{"phase":"Pending","startTime":"2024-01-01T00:00:00+0000",
                     "conditions":[{"type":"PodScheduled","status":"False","lastProbeTime":null,
                        "lastTransitionTime":"2024-01-01T10:11:12Z","reason":"Unschedulable","message":"1 node(s) had volume node affinity conflict"}]}},
                  {"metadata":{"name":"b","namespace":"n","creationTimestamp":"2024-01-01T00:00:00+02:00"}},
                  {"metadata":{"name":"c","namespace":"n","creationTimestamp":"1999-12-31T23:59:59.5Z"}}
                 ]}""";
        compare(pods, V1Pod.class, V1PodList.class);

        String nodes = """
                {"metadata":{},"items":[{"metadata":{"name":"n1","labels":{"topology.kubernetes.io/zone":"z"}},
                  "spec":{"unschedulable":true,"taints":[{"key":"k","value":"v","effect":"NoSchedule","timeAdded":"2024-01-01T00:00:00Z"}]},
                  "status":{"allocatable":{"cpu":"1930m","memory":"7284Mi","pods":"29"},"capacity":{"cpu":"2"},
                    "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2024-06-30T12:00:00Z"}]}}]}""";
        compare(nodes, io.kubernetes.client.openapi.models.V1Node.class, V1NodeList.class);

        String pvs = """
                {"items":[{"metadata":{"name":"pv1","labels":{"failure-domain.beta.kubernetes.io/zone":"a__b"}},
                  "spec":{"capacity":{"storage":"10Gi"},"awsElasticBlockStore":{"volumeID":"aws://us-east-1a/vol-0123","fsType":"ext4"},
                    "claimRef":{"namespace":"n","name":"data-a"}}},
                 {"metadata":{"name":"pv2"},"spec":{"csi":{"driver":"ebs.csi.aws.com","volumeHandle":"vol-1","volumeAttributes":{"a":"b"}},
                    "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"topology.ebs.csi.aws.com/zone","operator":"In","values":["z"]}]}]}}},
                   "status":{"phase":"Bound","lastPhaseTransitionTime":"2024-01-01T00:00:00Z"}}],"metadata":{"resourceVersion":"1"}}""";
        compare(pvs, io.kubernetes.client.openapi.models.V1PersistentVolume.class, V1PersistentVolumeList.class);

        String claims = """
                {"items":[{"metadata":{"name":"data-a","namespace":"n"},"spec":{"volumeName":"pv1","storageClassName":"gp2",
                   "resources":{"requests":{"storage":"10Gi"}},"accessModes":["ReadWriteOnce"]},"status":{"phase":"Bound","capacity":{"storage":"10Gi"}}}]}""";
        compare(claims, io.kubernetes.client.openapi.models.V1PersistentVolumeClaim.class, V1PersistentVolumeClaimList.class);

        String events = """
                {"items":[{"metadata":{"name":"e1","namespace":"n","creationTimestamp":"2024-01-01T00:00:00Z"},
                   "involvedObject":{"kind":"Pod","name":"a","namespace":"n","uid":"u1"},"reason":"FailedScheduling",
                   "message":"0/3 nodes are available","type":"Warning","count":4,
                   "firstTimestamp":"2024-01-01T00:00:00Z","lastTimestamp":null,"eventTime":"2024-01-01T00:00:01.500000Z",
                   "series":{"count":2,"lastObservedTime":"2024-01-01T00:05:00.000001Z"},"source":{"component":"scheduler"}}]}""";
        compare(events, io.kubernetes.client.openapi.models.CoreV1Event.class, CoreV1EventList.class);

        // A field this client-java does not know (a newer API server): client-java rejects the whole list;
        // the streamed read skips the field and keeps the rest.
        String future = pods.replace("\"nodeSelector\":{\"disk\":\"ssd\"}",
                "\"nodeSelector\":{\"disk\":\"ssd\"},\"someFutureField\":{\"nested\":[1,2,{\"x\":null}]}");
        assertTrue(future.contains("someFutureField"));
        assertEquals(JSON.<V1PodList>deserialize(pods, V1PodList.class).getItems(),
                ListStreamer.read(new StringReader(future), V1Pod.class).items());

        assertNull(ListStreamer.read(new StringReader("{\"items\":null,\"metadata\":null}"), V1Pod.class).items());
        assertTrue(ListStreamer.read(new StringReader("{\"items\":[]}"), V1Pod.class).items().isEmpty());
    }

    private static <T> void compare(String json, Class<T> type, Class<?> listType) throws Exception {
        Object list = JSON.deserialize(json, listType);
        List<?> expected = (List<?>) listType.getMethod("getItems").invoke(list);
        var meta = (io.kubernetes.client.openapi.models.V1ListMeta) listType.getMethod("getMetadata").invoke(list);
        ListStreamer.Page<T> page = ListStreamer.read(new StringReader(json), type);
        assertEquals(expected, page.items());
        assertEquals(meta == null ? null : meta.getContinue(), page.continueToken());
        // And the same JSON when written back, so nothing equals() does not look at differs either.
        assertEquals(JSON.serialize(expected), JSON.serialize(page.items()));
    }

    @Test
    void timestampFastPathAgreesWithClientJava() {
        TypeAdapter<OffsetDateTime> theirs = JSON.getGson().getAdapter(OffsetDateTime.class);
        for (String s : List.of("2024-02-29T23:59:59Z", "2023-12-31T00:00:00Z", "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z", "2024-05-01T12:34:56Z")) {
            assertEquals(theirs.fromJsonTree(new JsonPrimitive(s)), ListStreamer.Timestamps.parseUtcSeconds(s), s);
        }
        for (String s : List.of("2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z",
                "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00+0000", "2024-1-01T00:00:00Z",
                "2024-01-01T00:00:00.1Z", "0000-01-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
                "2024-01-01 00:00:00Z", "abcd-01-01T00:00:00Z")) {
            assertNull(ListStreamer.Timestamps.parseUtcSeconds(s), s);
        }
    }

    // ---- HTTP behaviour: paging, errors, the 403 fallback ------------------------------------

    private record Served(HttpServer server, List<String> requests) implements AutoCloseable {
        ApiClient client() throws IOException {
            return new ClientBuilder().setBasePath("http://127.0.0.1:" + server.getAddress().getPort()).build();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A tiny API server: {@code answer} maps a request (path and query) to {status, body}. */
    private static Served serve(java.util.function.Function<String, Object[]> answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> requests = new CopyOnWriteArrayList<>();
        server.createContext("/", exchange -> {
            String uri = exchange.getRequestURI().toString();
            requests.add(uri);
            Object[] a = answer.apply(uri);
            byte[] body = ((String) a[1]).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders((Integer) a[0], body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new Served(server, requests);
    }

    private static String pod(String ns, String name) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\",\"uid\":\"" + name + "\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\"}]}}";
    }

    @Test
    void followsContinueTokens() throws Exception {
        try (Served s = serve(uri -> {
            if (uri.startsWith("/api/v1/pods")) {
                if (!uri.contains("continue=")) {
                    return new Object[] {200, "{\"metadata\":{\"continue\":\"p2\"},\"items\":[" + pod("a", "p1") + "]}"};
                }
                return new Object[] {200, "{\"metadata\":{\"continue\":\"\"},\"items\":[" + pod("a", "p2") + "]}"};
            }
            return new Object[] {200, "{\"items\":[]}"};
        })) {
            ClusterSnapshot snapshot = new ClusterReader(s.client()).read(null);
            assertEquals(List.of("p1", "p2"), snapshot.pods().stream().map(p -> p.getMetadata().getName()).toList());
            List<String> podRequests = s.requests().stream().filter(r -> r.startsWith("/api/v1/pods")).toList();
            assertEquals(2, podRequests.size(), podRequests.toString());
            assertTrue(podRequests.get(0).contains("limit=500"), podRequests.toString());
            assertTrue(podRequests.get(1).contains("continue=p2"), podRequests.toString());
        }
    }

    @Test
    void readsOnlyZonemoversConfigMapsAndCarriesOnWithoutThem() throws Exception {
        String record = "{\"metadata\":{\"name\":\"zonemover-zm-1\",\"namespace\":\"a\"},\"data\":{\"move.json\":\"{}\"}}";
        try (Served s = serve(uri -> uri.startsWith("/api/v1/configmaps")
                ? new Object[] {200, "{\"items\":[" + record + "]}"} : new Object[] {200, "{\"items\":[]}"})) {
            ClusterSnapshot snapshot = new ClusterReader(s.client()).read(null);
            assertEquals(List.of("zonemover-zm-1"), snapshot.configMaps().stream().map(c -> c.getMetadata().getName()).toList());
            String request = s.requests().stream().filter(r -> r.startsWith("/api/v1/configmaps")).findFirst().orElseThrow();
            assertTrue(request.contains("labelSelector=app.kubernetes.io%2Fmanaged-by%3Dzonemover"), request);
            assertEquals(List.of(), snapshot.notes());
        }
        String forbidden = "{\"kind\":\"Status\",\"message\":\"configmaps is forbidden\",\"code\":403}";
        try (Served s = serve(uri -> uri.startsWith("/api/v1/configmaps")
                ? new Object[] {403, forbidden} : new Object[] {200, "{\"items\":[]}"})) {
            ClusterSnapshot snapshot = new ClusterReader(s.client()).read(null);
            assertTrue(snapshot.configMaps().isEmpty());
            assertTrue(snapshot.notes().get(0).startsWith("cannot list configmaps (HTTP 403)"), snapshot.notes().toString());
        }
    }

    @Test
    void forbiddenClusterWidePodsFallBackToTheNamespace() throws Exception {
        String forbidden = "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"pods is forbidden: no\",\"code\":403}";
        try (Served s = serve(uri -> {
            if (uri.startsWith("/api/v1/pods")) {
                return new Object[] {403, forbidden};
            }
            if (uri.startsWith("/api/v1/namespaces/team/pods")) {
                return new Object[] {200, "{\"items\":[" + pod("team", "mine") + "]}"};
            }
            return new Object[] {200, "{\"items\":[]}"};
        })) {
            ClusterSnapshot snapshot = new ClusterReader(s.client()).read("team");
            assertEquals(List.of("mine"), snapshot.pods().stream().map(p -> p.getMetadata().getName()).toList());

            ZonemoverException e = assertThrows(ZonemoverException.class, () -> new ClusterReader(s.client()).read(null));
            assertEquals("Kubernetes API: cannot list pods: HTTP 403: pods is forbidden: no", e.getMessage());
        }
    }

    @Test
    void httpErrorsAndUnreachableServersAreOneLine() throws Exception {
        try (Served s = serve(uri -> uri.startsWith("/api/v1/nodes")
                ? new Object[] {500, "{\"kind\":\"Status\",\"message\":\"etcd \\\"down\\\"\",\"code\":500}"}
                : new Object[] {200, "{\"items\":[]}"})) {
            ZonemoverException e = assertThrows(ZonemoverException.class, () -> new ClusterReader(s.client()).read(null));
            assertEquals("Kubernetes API: cannot list nodes: HTTP 500: etcd \\\"down\\\"", e.getMessage());
        }
        try (Served s = serve(uri -> new Object[] {200, "{\"items\":[]}"})) {
            ApiClient client = s.client();
            s.close();
            ZonemoverException e = assertThrows(ZonemoverException.class, () -> new ClusterReader(client).read(null));
            assertTrue(e.getMessage().startsWith("Kubernetes API: cannot list "), e.getMessage());
            assertTrue(e.getMessage().contains("cannot reach the API server ("), e.getMessage());
        }
        try (Served s = serve(uri -> new Object[] {200, "{\"items\":[{\"metadata\":"})) {
            ZonemoverException e = assertThrows(ZonemoverException.class, () -> new ClusterReader(s.client()).read(null));
            assertTrue(e.getMessage().startsWith("Kubernetes API: cannot list "), e.getMessage());
        }
    }

    @Test
    void readsAListFileTheSameWay() throws Exception {
        Path file = dir.resolve("pods.json");
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            items.add(pod("ns" + (i % 3), "p" + i));
        }
        Files.writeString(file, "{\"items\":[" + String.join(",", items) + "]}");
        V1PodList expected = JSON.deserialize(Files.readString(file), V1PodList.class);
        try (var in = Files.newBufferedReader(file)) {
            assertEquals(expected.getItems(), ListStreamer.read(in, V1Pod.class).items());
        }
    }
}
