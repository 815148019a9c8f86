/**
 * The measures of {@code zonemover bench}, one class each, run against the simulated world through the commands
 * users run ({@link io.zonemover.cli.bench.Zonemover}) or, for start-up figures, as a new process. Like the rest of
 * the cli package it may read the simulated world's model constants; nothing outside cli depends on it.
 */
package io.zonemover.cli.bench;
