package io.zonemover.fleet;

import io.zonemover.domain.ZonemoverException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The plan file: a {@link FleetPlan} as versioned, commented YAML ({@code apiVersion: zonemover.io/v1alpha1},
 * {@code kind: MigrationPlan}) that {@code rebalance plan --out} writes and {@code rebalance apply} reads.
 * Reading validates the whole file before anything may change; every error is a bad-input
 * {@link ZonemoverException} (exit 2) of one line naming the file, the line and the field path, such as
 * {@code plan.yaml:14: spec.moves[2].to: zone "us-east-1z" is not a zone of this region (...)}.
 *
 * <p>The format, field by field, is the comment the file starts with ({@link PlanWriter#HEADER}).
 */
public final class PlanFile {

    private PlanFile() {
    }

    /** The plan as the file's text; the same plan always gives the same text. */
    public static String toYaml(FleetPlan plan) {
        return PlanWriter.write(plan);
    }

    public static void write(FleetPlan plan, Path file) {
        try {
            Files.writeString(file, toYaml(plan), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ZonemoverException.failed("cannot write the plan to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads and validates a plan file, without checking its zones against a region. */
    public static FleetPlan read(Path file) {
        return read(file, List.of());
    }

    /**
     * Reads and validates a plan file.
     *
     * @param zones the region's zones: every zone the plan names must be one of them; empty to not check
     */
    public static FleetPlan read(Path file, Collection<String> zones) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ZonemoverException.badInput(file + ": cannot read the plan: " + e);
        }
        return read(file.toString(), new StringReader(text), zones);
    }

    /** Reads and validates a plan from any reader; {@code source} names it in errors. */
    public static FleetPlan read(String source, Reader reader, Collection<String> zones) {
        return new PlanReader(source, zones == null ? List.of() : zones).read(reader);
    }
}
