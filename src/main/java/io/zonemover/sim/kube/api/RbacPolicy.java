package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * What one user may do, as Kubernetes RBAC decides it: the PolicyRules of the roles bound to it, each granted
 * cluster-wide (a ClusterRoleBinding) or in one namespace (a RoleBinding). A request is allowed when one rule
 * matches it, with RBAC's own matching ({@code *} wildcards, {@code resource/subresource} and {@code
 * *}{@code /subresource}, resourceNames, nonResourceURLs with a trailing {@code *}); a namespaced grant never
 * covers a cluster-scoped resource or a request across all namespaces.
 *
 * <p>Every authenticated user may also read discovery, OpenAPI, version and health, as the default
 * ClusterRoles system:discovery and system:public-info-viewer let them.
 *
 * <p>{@link RbacYaml} reads one from Role and binding manifests; {@link RbacFilter} enforces it.
 */
public record RbacPolicy(String user, List<Rule> rules, List<String> sources) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The non-resource URLs every authenticated user may GET (system:discovery, system:public-info-viewer). */
    static final List<String> DISCOVERY = List.of("/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*",
            "/version", "/version/", "/healthz", "/livez", "/readyz");

    public RbacPolicy {
        rules = List.copyOf(rules);
        sources = List.copyOf(sources);
    }

    /**
     * One PolicyRule, granted in {@code namespace} (null: in every namespace and at the cluster scope).
     * Lists are never null; resourceNames empty means any name.
     */
    public record Rule(String namespace, List<String> apiGroups, List<String> resources, List<String> verbs,
                       List<String> resourceNames, List<String> nonResourceURLs) {

        public Rule {
            apiGroups = List.copyOf(apiGroups);
            resources = List.copyOf(resources);
            verbs = List.copyOf(verbs);
            resourceNames = List.copyOf(resourceNames);
            nonResourceURLs = List.copyOf(nonResourceURLs);
        }

        boolean allows(RequestAttributes a) {
            if (!matches(verbs, a.verb())) {
                return false;
            }
            if (!a.resourceRequest()) {
                // Only a ClusterRoleBinding grants non-resource URLs.
                return namespace == null && nonResourceURLs.stream().anyMatch(u -> urlMatches(u, a.path()));
            }
            if (namespace != null && !namespace.equals(a.namespace())) {
                return false;
            }
            return matches(apiGroups, a.group()) && resourceMatches(a)
                    && (resourceNames.isEmpty() || resourceNames.contains(a.name()));
        }

        private boolean resourceMatches(RequestAttributes a) {
            for (String r : resources) {
                if (r.equals("*") || r.equals(a.combinedResource())) {
                    return true;
                }
                if (!a.subresource().isEmpty() && r.equals("*/" + a.subresource())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matches(List<String> granted, String wanted) {
            return granted.contains("*") || granted.contains(wanted);
        }

        private static boolean urlMatches(String rule, String path) {
            if (rule.equals("*")) {
                return true;
            }
            return rule.endsWith("*") ? path.startsWith(rule.substring(0, rule.length() - 1)) : rule.equals(path);
        }
    }

    public boolean allows(RequestAttributes a) {
        if (!a.resourceRequest() && a.verb().equals("get")
                && DISCOVERY.stream().anyMatch(u -> Rule.urlMatches(u, a.path()))) {
            return true;
        }
        return rules.stream().anyMatch(r -> r.allows(a));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RbacPolicy fromJson(String json) {
        try {
            return JSON.readValue(json, RbacPolicy.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
