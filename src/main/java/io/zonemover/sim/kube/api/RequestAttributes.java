package io.zonemover.sim.kube.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an authorizer is asked about one request, read from its method, path and query as the API server's
 * RequestInfoFactory reads them: a resource request (verb, API group, resource, subresource, namespace, name)
 * or a non-resource one (verb and path). Verbs: GET of an object {@code get}, of a collection {@code list}
 * ({@code watch} with {@code ?watch=true} or the {@code /watch/} prefix), POST {@code create}, PUT {@code update},
 * PATCH {@code patch}, DELETE of an object {@code delete}, of a collection {@code deletecollection}. A list whose
 * field selector names one object ({@code metadata.name=x}) is about that name, as on the real server.
 */
public record RequestAttributes(boolean resourceRequest, String verb, String path, String group, String resource,
                                String subresource, String namespace, String name) {

    /** The subresources of a namespace: {@code /api/v1/namespaces/NS/status} is about the namespace itself. */
    private static final List<String> NAMESPACE_SUBRESOURCES = List.of("status", "finalize");

    /** "pods" or "pods/eviction", as RBAC rules name a resource. */
    public String combinedResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    public static RequestAttributes of(String method, String path, String rawQuery) {
        String verb = switch (method.toUpperCase()) {
            case "GET", "HEAD" -> "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> "";
        };
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        RequestAttributes nonResource = new RequestAttributes(false, method.toLowerCase(), path, "", "", "", "", "");
        // /api/v1/RESOURCE... or /apis/GROUP/VERSION/RESOURCE...: anything shorter is discovery, not a resource.
        String group;
        int first;
        if (parts.size() >= 3 && parts.get(0).equals("api")) {
            group = "";
            first = 2;
        } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            first = 3;
        } else {
            return nonResource;
        }
        List<String> rest = new ArrayList<>(parts.subList(first, parts.size()));
        if (rest.get(0).equals("watch")) {
            verb = "watch";
            rest.remove(0);
            if (rest.isEmpty()) {
                return nonResource;
            }
        }
        String namespace = "";
        if (rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            }
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : "";
        String sub = rest.size() > 2 ? rest.get(2) : "";
        if (name.isEmpty() && verb.equals("get")) {
            Map<String, String> q = ApiRequest.query(rawQuery);
            verb = ApiRequest.isTrue(q.get("watch")) ? "watch" : "list";
            name = exactName(q.get("fieldSelector"));
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        return new RequestAttributes(true, verb, path, group, resource, sub, namespace, name);
    }

    /** The x of a field selector {@code metadata.name=x} (or {@code ==x}) that selects nothing else; else "". */
    private static String exactName(String selector) {
        if (selector == null || selector.contains(",")) {
            return "";
        }
        for (String op : new String[] {"==", "="}) {
            String prefix = "metadata.name" + op;
            if (selector.startsWith(prefix) && !selector.startsWith("metadata.name!=")) {
                String name = selector.substring(prefix.length());
                return name.matches("[^/%]+") && !name.equals(".") && !name.equals("..") ? name : "";
            }
        }
        return "";
    }
}
