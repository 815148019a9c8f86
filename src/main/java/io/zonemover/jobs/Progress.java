package io.zonemover.jobs;

/** Where a running job reports what it is doing; the command line prints it, tests collect it. */
@FunctionalInterface
public interface Progress {

    void report(String step, String message);

    Progress NONE = (step, message) -> { };
}
