package io.zonemover.cluster;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The zone's copy of a StatefulSet (split-per-zone), as it is sent to the API server. */
class ZoneStatefulSetManifestTest {

    private static final String ORIGINAL = """
            {"apiVersion":"apps/v1","kind":"StatefulSet",
             "metadata":{"name":"orders","namespace":"shop","uid":"u1","resourceVersion":"7","labels":{"app":"orders"},
               "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","team":"payments"},
               "ownerReferences":[{"kind":"Database","name":"orders"}]},
             "spec":{"replicas":3,"serviceName":"orders","selector":{"matchLabels":{"app":"orders"}},
               "template":{"metadata":{"labels":{"app":"orders"}},"spec":{
                 "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                   {"matchExpressions":[{"key":"node-type","operator":"In","values":["db"]}]},
                   {"matchExpressions":[{"key":"node-type","operator":"In","values":["db-large"]}]}]}}},
                 "containers":[{"name":"postgres","image":"postgres:16"}]}},
               "volumeClaimTemplates":[{"metadata":{"name":"data"}}]},
             "status":{"replicas":3}}""";

    private final JsonObject copy = Manifests.zoneStatefulSet(ORIGINAL, "us-east-1c", Map.of("zonemover.io/job", "zm-1"));

    @Test
    void itIsNamedAfterItsZoneStartsAtZeroAndKeepsTheRest() {
        JsonObject meta = copy.getAsJsonObject("metadata");
        assertThat(meta.get("name").getAsString()).isEqualTo("orders-us-east-1c");
        assertThat(meta.has("uid") || meta.has("resourceVersion") || copy.has("status")).isFalse();
        assertThat(meta.has("ownerReferences")).as("nobody's child").isFalse();
        assertThat(meta.getAsJsonObject("annotations").keySet()).containsExactly("team");
        assertThat(meta.getAsJsonObject("labels").toString())
                .isEqualTo("{\"app\":\"orders\",\"zonemover.io/job\":\"zm-1\",\"zonemover.io/zone\":\"us-east-1c\"}");
        JsonObject spec = copy.getAsJsonObject("spec");
        assertThat(spec.get("replicas").getAsInt()).isZero();
        assertThat(spec.get("serviceName").getAsString()).isEqualTo("orders");
        assertThat(spec.getAsJsonArray("volumeClaimTemplates")).hasSize(1);
    }

    @Test
    void itsSelectorAndPodsCarryTheZoneSoTheCopiesNeverOverlap() {
        JsonObject spec = copy.getAsJsonObject("spec");
        String zone = "{\"app\":\"orders\",\"zonemover.io/zone\":\"us-east-1c\"}";
        assertThat(spec.getAsJsonObject("selector").getAsJsonObject("matchLabels").toString()).isEqualTo(zone);
        assertThat(spec.getAsJsonObject("template").getAsJsonObject("metadata").getAsJsonObject("labels").toString())
                .isEqualTo(zone);
    }

    @Test
    void theZoneIsRequiredInEveryTermOfTheTemplatesOwnAffinity() {
        String terms = copy.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonObject("affinity").getAsJsonObject("nodeAffinity")
                .getAsJsonObject("requiredDuringSchedulingIgnoredDuringExecution").get("nodeSelectorTerms").toString();
        String zone = "{\"key\":\"topology.kubernetes.io/zone\",\"operator\":\"In\",\"values\":[\"us-east-1c\"]}";
        assertThat(terms).isEqualTo("[{\"matchExpressions\":[{\"key\":\"node-type\",\"operator\":\"In\",\"values\":[\"db\"]},"
                + zone + "]},{\"matchExpressions\":[{\"key\":\"node-type\",\"operator\":\"In\",\"values\":[\"db-large\"]},"
                + zone + "]}]");
    }

    @Test
    void withoutAffinityTheZoneIsTheOneTerm() {
        JsonObject plain = com.google.gson.JsonParser.parseString(ORIGINAL).getAsJsonObject();
        plain.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec").remove("affinity");
        JsonObject made = Manifests.zoneStatefulSet(plain.toString(), "us-east-1d", Map.of());
        assertThat(made.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonObject("affinity").toString()).isEqualTo("{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
                + "Execution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"topology.kubernetes.io/zone\","
                + "\"operator\":\"In\",\"values\":[\"us-east-1d\"]}]}]}}}");
    }
}
