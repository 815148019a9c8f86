package io.zonemover.domain;

import java.util.regex.Pattern;

/** A PersistentVolumeClaim named as users type it: {@code namespace/name}. */
public record ClaimRef(String namespace, String name) {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    public static ClaimRef parse(String text) {
        if (text == null) {
            throw ZonemoverException.badInput("claim is required as NAMESPACE/NAME");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash != text.lastIndexOf('/') || slash == text.length() - 1) {
            throw ZonemoverException.badInput("claim must be NAMESPACE/NAME, got '" + text + "'");
        }
        String namespace = text.substring(0, slash);
        String name = text.substring(slash + 1);
        if (!DNS_LABEL.matcher(namespace).matches() || namespace.length() > 63) {
            throw ZonemoverException.badInput("'" + namespace + "' is not a valid namespace name");
        }
        if (!DNS_SUBDOMAIN.matcher(name).matches() || name.length() > 253) {
            throw ZonemoverException.badInput("'" + name + "' is not a valid claim name");
        }
        return new ClaimRef(namespace, name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
