package dev.trellis.samples;

import dev.trellis.framework.models.ModelConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a configuration mistake (no model configured, a bad path or value) into its message and
 * exit code 2; anything else is a bug or an outage and keeps its stack trace, exit code 1.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    static final int CONFIGURATION_ERROR = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        if (e instanceof ModelConfigurationException || e instanceof IllegalArgumentException) {
            command.getErr().println(command.getColorScheme().errorText("trellis " + command.getCommandName()
                    + ": " + e.getMessage()));
            return CONFIGURATION_ERROR;
        }
        e.printStackTrace(command.getErr());
        return 1;
    }
}
