package io.zonemover.sim.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.zonemover.sim.WorldStore;

import java.io.IOException;

/** PLACEHOLDER: the EC2 Query protocol endpoint (form-encoded requests, XML responses). */
public final class Ec2Endpoint implements HttpHandler {

    private final WorldStore store;

    public Ec2Endpoint(WorldStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(501, -1);
        exchange.close();
    }
}
