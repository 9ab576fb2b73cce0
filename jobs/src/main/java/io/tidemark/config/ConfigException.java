package io.tidemark.config;

/**
 * Invalid configuration (a config file, a {@code TIDEMARK_*} environment variable, a setting's value): names the
 * setting, where it came from and the fix. The CLI exits with 3 on it, like on invalid definitions.
 */
public class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
