package io.zonemover.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** Outside Spring, libraries' log lines never reach stdout (where -o json goes), and only warnings show. */
class LogbackSetupTest {

    @Test
    void logbackFindsItAheadOfItsOwnDefaults() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()))
                .contains(LogbackSetup.class.getName());
    }

    @Test
    void warningsGoToStderrAndInfoIsDropped() {
        LoggerContext context = new LoggerContext();
        assertThat(new LogbackSetup().configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("software.amazon.awssdk.request").isInfoEnabled()).isFalse();
        ConsoleAppender<?> appender = (ConsoleAppender<?>) root.iteratorForAppenders().next();
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(appender.isStarted()).isTrue();
    }
}
