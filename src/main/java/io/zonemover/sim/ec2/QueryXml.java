package io.zonemover.sim.ec2;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * Writes EC2 Query answers through the JDK's StAX {@link XMLStreamWriter} (which does the escaping): a
 * {@code <ActionResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">} with its {@code requestId} first,
 * or EC2's error document {@code <Response><Errors><Error>...</Error></Errors><RequestID>}.
 */
final class QueryXml {

    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private final StringWriter out = new StringWriter();
    private final XMLStreamWriter w;

    private QueryXml() {
        try {
            w = FACTORY.createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An answer to {@code action}: the root element in EC2's namespace, then the request id. */
    static QueryXml response(String action, String requestId) {
        QueryXml x = new QueryXml();
        x.call(() -> {
            x.w.writeStartElement(action + "Response");
            x.w.writeDefaultNamespace(NS);
        });
        return x.el("requestId", requestId);
    }

    /** EC2's error document; the SDK reads Code and Message from it. */
    static String error(Ec2Error e, String requestId) {
        QueryXml x = new QueryXml();
        return x.open("Response").open("Errors").open("Error").el("Code", e.code()).el("Message", e.getMessage())
                .close().close().el("RequestID", requestId).close().finish();
    }

    QueryXml open(String name) {
        return call(() -> w.writeStartElement(name));
    }

    QueryXml close() {
        return call(w::writeEndElement);
    }

    /** A leaf element; null is written as empty. */
    QueryXml el(String name, String value) {
        return call(() -> {
            w.writeStartElement(name);
            w.writeCharacters(value == null ? "" : value);
            w.writeEndElement();
        });
    }

    /** A leaf element only when there is a value (EC2 leaves out what a resource does not have). */
    QueryXml optional(String name, Object value) {
        return value == null ? this : el(name, value.toString());
    }

    /** {@code <NAME><item>...</item>...</NAME>}, one item per element of {@code items}. */
    <T> QueryXml set(String name, Iterable<T> items, Render<T> render) {
        open(name);
        for (T item : items) {
            open("item");
            render.write(item, this);
            close();
        }
        return close();
    }

    /** EC2's tagSet of key/value items. */
    QueryXml tagSet(Map<String, String> tags) {
        return set("tagSet", tags.entrySet(), (t, x) -> x.el("key", t.getKey()).el("value", t.getValue()));
    }

    /** Closes whatever is open and returns the document. */
    String finish() {
        call(() -> {
            w.writeEndDocument();
            w.close();
        });
        return out.toString();
    }

    /** Writes one item's fields. */
    @FunctionalInterface
    interface Render<T> {
        void write(T item, QueryXml x);
    }

    private interface XmlCall {
        void run() throws XMLStreamException;
    }

    private QueryXml call(XmlCall c) {
        try {
            c.run();
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write EC2 XML: " + e.getMessage(), e);
        }
    }
}
