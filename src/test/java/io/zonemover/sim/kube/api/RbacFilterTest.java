package io.zonemover.sim.kube.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RBAC authorizer's parts: a request read as the API server's RequestInfoFactory reads it, rules matched as
 * RBAC matches them (wildcards, subresources, resourceNames, a Role's namespace), the Forbidden message in the
 * server's words, and policies read from Role and binding manifests.
 */
class RbacFilterTest {

    private static final String USER = "system:serviceaccount:zonemover:zonemover";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}?{2} -> {3} {4} in [{5}] named [{6}]")
    @CsvSource(delimiter = '|', nullValues = "-", emptyValue = "", value = {
            "GET    | /api/v1/namespaces/default/pods          | -                         | list             | pods              | default |",
            "GET    | /api/v1/namespaces/default/pods          | watch=true                | watch            | pods              | default |",
            "GET    | /api/v1/watch/namespaces/default/pods    | -                         | watch            | pods              | default |",
            "GET    | /api/v1/pods                             | fieldSelector=metadata.name%3Dweb-0 | list   | pods              |         | web-0",
            "GET    | /api/v1/namespaces/default/pods/web-0    | -                         | get              | pods              | default | web-0",
            "POST   | /api/v1/namespaces/default/pods/web-0/eviction | -                   | create           | pods/eviction     | default | web-0",
            "PUT    | /apis/apps/v1/namespaces/shop/statefulsets/db/status | -             | update           | statefulsets/status | shop  | db",
            "PATCH  | /api/v1/persistentvolumes/pv-1           | -                         | patch            | persistentvolumes |         | pv-1",
            "DELETE | /api/v1/namespaces/default/pods          | -                         | deletecollection | pods              | default |",
            "DELETE | /api/v1/namespaces/default/pods/web-0    | -                         | delete           | pods              | default | web-0",
            "GET    | /api/v1/namespaces/shop                  | -                         | get              | namespaces        | shop    | shop",
            "PUT    | /api/v1/namespaces/shop/finalize         | -                         | update           | namespaces/finalize | shop  | shop"})
    void readsARequestAsTheApiServerDoes(String method, String path, String query, String verb, String resource,
                                         String namespace, String name) {
        RequestAttributes a = RequestAttributes.of(method, path, query);
        assertThat(a.resourceRequest()).isTrue();
        assertThat(a.verb()).isEqualTo(verb);
        assertThat(a.combinedResource()).isEqualTo(resource);
        assertThat(a.namespace()).isEqualTo(namespace == null ? "" : namespace);
        assertThat(a.name()).isEqualTo(name == null ? "" : name);
    }

    @Test
    void discoveryIsOpenToEveryUserAndOtherPathsAreNot() {
        RbacPolicy nothing = new RbacPolicy(USER, List.of(), List.of());
        for (String path : List.of("/api", "/api/v1", "/apis", "/apis/apps/v1", "/openapi/v3", "/version", "/healthz")) {
            RequestAttributes a = RequestAttributes.of("GET", path, null);
            assertThat(a.resourceRequest()).as(path).isFalse();
            assertThat(nothing.allows(a)).as(path).isTrue();
        }
        assertThat(nothing.allows(RequestAttributes.of("GET", "/metrics", null))).isFalse();
        assertThat(nothing.allows(RequestAttributes.of("GET", "/", null))).isFalse();
        assertThat(nothing.allows(RequestAttributes.of("POST", "/api", null))).as("read only").isFalse();
        assertThat(RbacFilter.forbidden(USER, RequestAttributes.of("GET", "/metrics", null)).getMessage())
                .isEqualTo("forbidden: User \"" + USER + "\" cannot get path \"/metrics\"");
    }

    @Test
    void matchesRulesAsRbacDoes() {
        RbacPolicy policy = new RbacPolicy(USER, List.of(
                rule(null, "", "pods", "get,list"),
                rule(null, "apps", "*/scale", "update"),
                rule(null, "", "configmaps", "get", "zonemover-config"),
                rule("zonemover", "coordination.k8s.io", "leases", "*"),
                rule(null, "*", "nodes", "list")), List.of());
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/namespaces/a/pods", null))).isTrue();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/pods", null))).as("every namespace").isTrue();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/namespaces/a/pods/p/log", null)))
                .as("a subresource is its own resource").isFalse();
        assertThat(policy.allows(RequestAttributes.of("DELETE", "/api/v1/namespaces/a/pods/p", null))).isFalse();
        assertThat(policy.allows(RequestAttributes.of("PUT", "/apis/apps/v1/namespaces/a/statefulsets/s/scale", null)))
                .isTrue();
        assertThat(policy.allows(RequestAttributes.of("PUT", "/apis/apps/v1/namespaces/a/statefulsets/s", null)))
                .isFalse();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/namespaces/a/configmaps/zonemover-config", null)))
                .isTrue();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/namespaces/a/configmaps/other", null)))
                .as("resourceNames").isFalse();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/namespaces/a/configmaps", null)))
                .as("a list names no object: resourceNames never grant it").isFalse();
        String leases = "/apis/coordination.k8s.io/v1/namespaces/%s/leases/l";
        assertThat(policy.allows(RequestAttributes.of("DELETE", leases.formatted("zonemover"), null))).isTrue();
        assertThat(policy.allows(RequestAttributes.of("GET", leases.formatted("default"), null)))
                .as("a Role's grant stays in its namespace").isFalse();
        assertThat(policy.allows(RequestAttributes.of("GET", "/apis/coordination.k8s.io/v1/leases", null)))
                .as("nor covers a list across namespaces").isFalse();
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/nodes", null))).isTrue();
    }

    @Test
    void wordsTheForbiddenStatusAsTheApiServerDoes() {
        assertThat(RbacFilter.forbidden(USER, RequestAttributes.of("DELETE", "/api/v1/namespaces/ns/pods/x", null))
                .getMessage()).isEqualTo("pods \"x\" is forbidden: User \"" + USER + "\" cannot delete resource "
                + "\"pods\" in API group \"\" in the namespace \"ns\"");
        assertThat(RbacFilter.forbidden(USER, RequestAttributes.of("GET", "/apis/apps/v1/statefulsets", null))
                .getMessage()).isEqualTo("statefulsets.apps is forbidden: User \"" + USER + "\" cannot list resource "
                + "\"statefulsets\" in API group \"apps\" at the cluster scope");
        var e = RbacFilter.forbidden(USER, RequestAttributes.of("POST", "/api/v1/namespaces/ns/pods/x/eviction", null));
        assertThat(e.getMessage()).isEqualTo("pods \"x\" is forbidden: User \"" + USER + "\" cannot create resource "
                + "\"pods/eviction\" in API group \"\" in the namespace \"ns\"");
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.reason()).isEqualTo("Forbidden");
        assertThat(e.kind()).isEqualTo("pods");
        assertThat(e.name()).isEqualTo("x");
    }

    @Test
    void readsTheRolesBoundToOneSubjectFromManifests() throws IOException {
        Path file = dir.resolve("rbac.yaml");
        Files.writeString(file, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: reader}
                rules:
                  - {apiGroups: [""], resources: [pods], verbs: [get, list]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: unbound}
                rules:
                  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: reader}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                subjects: [{kind: ServiceAccount, name: bot, namespace: tools}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: reader-in-shop, namespace: shop}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: unbound}
                subjects: [{kind: ServiceAccount, name: bot, namespace: tools}]
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: tools}
                """);
        RbacPolicy policy = RbacYaml.read(List.of(dir));
        assertThat(policy.user()).isEqualTo("system:serviceaccount:tools:bot");
        assertThat(policy.allows(RequestAttributes.of("GET", "/api/v1/pods", null))).isTrue();
        assertThat(policy.allows(RequestAttributes.of("DELETE", "/api/v1/namespaces/shop/pods/p", null)))
                .as("a ClusterRole bound by a RoleBinding grants in that namespace").isTrue();
        assertThat(policy.allows(RequestAttributes.of("DELETE", "/api/v1/namespaces/other/pods/p", null))).isFalse();
        assertThat(RbacPolicy.fromJson(policy.toJson())).isEqualTo(policy);

        Files.writeString(file, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: b, namespace: shop}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}
                subjects: [{kind: ServiceAccount, name: bot, namespace: tools}]
                """);
        assertThatThrownBy(() -> RbacYaml.read(List.of(file))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": RoleBinding shop/b refers to Role missing in namespace shop, which none of the "
                        + "files defines");
        Files.writeString(file, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        assertThatThrownBy(() -> RbacYaml.read(List.of(file))).hasMessageStartingWith("no RoleBinding or "
                + "ClusterRoleBinding with a ServiceAccount or User subject in " + file);
    }

    private static RbacPolicy.Rule rule(String namespace, String group, String resource, String verbs,
                                        String... names) {
        return new RbacPolicy.Rule(namespace, List.of(group), List.of(resource), List.of(verbs.split(",")),
                List.of(names), List.of());
    }
}
