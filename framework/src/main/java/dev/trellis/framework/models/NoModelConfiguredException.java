package dev.trellis.framework.models;

/**
 * {@link Models#fromEnvironment()} found neither a remote model (environment variables) nor an
 * available local model. The message lists both ways to configure one.
 */
public class NoModelConfiguredException extends ModelConfigurationException {

    public NoModelConfiguredException(String message) {
        super(message);
    }
}
