package io.zonemover.cli;

import picocli.CommandLine.Option;

/** `-n NS` or `-A`, exclusive, as kubectl takes them: the namespace a command reads, null for all of them. */
final class NamespaceScope {

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Only this namespace.")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "All namespaces (the default).")
    boolean all;

    /** The namespace chosen, or null for all (also when neither option was given). */
    static String of(NamespaceScope scope) {
        return scope == null || scope.all ? null : scope.namespace;
    }
}
