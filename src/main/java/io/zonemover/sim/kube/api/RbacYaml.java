package io.zonemover.sim.kube.api;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads an {@link RbacPolicy} from Kubernetes manifests (files, or directories of {@code *.yaml}/{@code *.yml};
 * the output of {@code kubectl kustomize} does too): the ClusterRoles and Roles, and the bindings that give them
 * to one subject, the first ServiceAccount (or User) a binding names. Other kinds are ignored. A ClusterRoleBinding
 * grants its ClusterRole everywhere; a RoleBinding grants its Role, or a ClusterRole, in its own namespace.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message names the file and the object: no binding, a
 * binding whose role none of the files defines, a rule without verbs.
 */
public final class RbacYaml {

    private RbacYaml() {
    }

    public static RbacPolicy read(List<Path> paths) {
        List<Doc> docs = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : files(path)) {
                sources.add(file.toString());
                docs.addAll(load(file));
            }
        }
        Map<String, Doc> clusterRoles = new LinkedHashMap<>();
        Map<String, Doc> roles = new LinkedHashMap<>();
        List<Doc> bindings = new ArrayList<>();
        for (Doc d : docs) {
            switch (d.kind()) {
                case "ClusterRole" -> clusterRoles.put(d.name(), d);
                case "Role" -> roles.put(d.namespace() + "/" + d.name(), d);
                case "ClusterRoleBinding", "RoleBinding" -> bindings.add(d);
                default -> {
                    // Not RBAC: a Namespace, a Job, a kustomization.yaml.
                }
            }
        }
        String user = bindings.stream().flatMap(b -> subjects(b).stream()).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no RoleBinding or ClusterRoleBinding with a ServiceAccount or User subject in "
                        + String.join(", ", paths.stream().map(Path::toString).toList())));
        List<RbacPolicy.Rule> rules = new ArrayList<>();
        for (Doc b : bindings) {
            if (!subjects(b).contains(user)) {
                continue;
            }
            Map<?, ?> ref = b.map("roleRef");
            String refKind = String.valueOf(ref.get("kind"));
            String refName = String.valueOf(ref.get("name"));
            boolean cluster = b.kind().equals("ClusterRoleBinding");
            Doc role = switch (refKind) {
                case "ClusterRole" -> clusterRoles.get(refName);
                case "Role" -> cluster ? null : roles.get(b.namespace() + "/" + refName);
                default -> null;
            };
            if (role == null) {
                throw new IllegalArgumentException(b.file() + ": " + b.kind() + " " + b.qualifiedName() + " refers to "
                        + refKind + " " + refName + (cluster || refKind.equals("ClusterRole") ? "" : " in namespace "
                        + b.namespace()) + ", which none of the files defines");
            }
            for (Object r : role.list("rules")) {
                rules.add(rule(role, (Map<?, ?>) r, cluster ? null : b.namespace()));
            }
        }
        return new RbacPolicy(user, rules, sources);
    }

    private static RbacPolicy.Rule rule(Doc role, Map<?, ?> r, String namespace) {
        List<String> verbs = strings(r.get("verbs"));
        if (verbs.isEmpty()) {
            throw new IllegalArgumentException(role.file() + ": " + role.kind() + " " + role.qualifiedName()
                    + " has a rule without verbs");
        }
        return new RbacPolicy.Rule(namespace, strings(r.get("apiGroups")), strings(r.get("resources")), verbs,
                strings(r.get("resourceNames")), strings(r.get("nonResourceURLs")));
    }

    /** "system:serviceaccount:NS:NAME" for each ServiceAccount subject, the name of each User subject. */
    private static List<String> subjects(Doc binding) {
        List<String> out = new ArrayList<>();
        for (Object o : binding.list("subjects")) {
            Map<?, ?> s = (Map<?, ?>) o;
            String kind = String.valueOf(s.get("kind"));
            if (kind.equals("ServiceAccount")) {
                Object ns = s.get("namespace");
                out.add("system:serviceaccount:" + (ns == null ? binding.namespace() : ns) + ":" + s.get("name"));
            } else if (kind.equals("User")) {
                out.add(String.valueOf(s.get("name")));
            }
        }
        return out;
    }

    private static List<String> strings(Object o) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            return List.of(String.valueOf(o));
        }
        return l.stream().map(v -> v == null ? "" : String.valueOf(v)).toList();
    }

    private static List<Path> files(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> list = Files.list(path)) {
            return list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Doc> load(Path file) {
        List<Doc> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object o : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
                if (o instanceof Map<?, ?> m && m.get("kind") != null) {
                    docs.add(new Doc(file, m));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not YAML: " + firstLine(e.getMessage()));
        }
        return docs;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** One manifest and the file it came from. */
    private record Doc(Path file, Map<?, ?> body) {
        String kind() {
            return String.valueOf(body.get("kind"));
        }

        Map<?, ?> metadata() {
            return body.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        }

        String name() {
            return String.valueOf(metadata().get("name"));
        }

        String namespace() {
            return Objects.toString(metadata().get("namespace"), "default");
        }

        String qualifiedName() {
            return kind().startsWith("Cluster") ? name() : namespace() + "/" + name();
        }

        Map<?, ?> map(String key) {
            return body.get(key) instanceof Map<?, ?> m ? m : Map.of();
        }

        List<?> list(String key) {
            return body.get(key) instanceof List<?> l ? l : List.of();
        }
    }
}
