package io.zonemover.cli.bench;

/** Runs one zonemover command (in this process) and returns its standard output; fails on a non-zero exit. */
@FunctionalInterface
public interface Zonemover {
    String run(String... args);
}
