/**
 * The command line: picocli commands, global options, output formats and the one place where errors
 * become exit codes. Each command parses, then hands over to a use case in one call.
 */
package io.zonemover.cli;
