package io.zonemover.sim.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;

import java.io.IOException;

/** PLACEHOLDER: the Kubernetes REST endpoint. */
public final class KubeEndpoint implements HttpHandler {

    private final WorldStore store;

    public KubeEndpoint(WorldStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(501, -1);
        exchange.close();
    }
}
