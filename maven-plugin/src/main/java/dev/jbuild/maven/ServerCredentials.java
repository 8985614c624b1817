package dev.jbuild.maven;

import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.registry.auth.Credential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials from Maven's {@code settings.xml}: a {@code <server>} whose {@code <id>} is
 * a registry's {@code host[:port]} (Jib's convention) gives that registry's user name and
 * password. Encrypted passwords ({@code {...}}, {@code settings-security.xml}) are decrypted by
 * Maven's own {@link SettingsDecrypter}. These credentials win over {@code ~/.docker/config.json}
 * and credential helpers for their registry, which stay in use for every other registry.
 */
final class ServerCredentials {
  private ServerCredentials() {}

  /**
   * Adds a credential for every server with a user name; servers without one (SSH keys, tokens
   * for other tools) are left out.
   *
   * @throws IllegalStateException naming the server whose password cannot be decrypted
   */
  static RegistryOptions apply(RegistryOptions options, Settings settings,
      SettingsDecrypter decrypter) {
    RegistryOptions result = options;
    for (Map.Entry<String, Credential> c : credentials(settings, decrypter).entrySet()) {
      result = result.withCredential(c.getKey(), c.getValue());
    }
    return result;
  }

  /**
   * The credential of every server with a user name, by server id (the registry), decrypted; in
   * memory only (the child JVM gets them over a pipe, {@link CliChild}).
   *
   * @throws IllegalStateException naming the server whose password cannot be decrypted
   */
  static Map<String, Credential> credentials(Settings settings, SettingsDecrypter decrypter) {
    Map<String, Credential> result = new LinkedHashMap<>();
    if (settings == null) {
      return result;
    }
    for (Server server : settings.getServers()) {
      if (server.getId() == null || server.getUsername() == null
          || server.getUsername().isEmpty()) {
        continue;
      }
      Server decrypted = server;
      if (decrypter != null) {
        SettingsDecryptionResult answer =
            decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
        List<SettingsProblem> errors = answer.getProblems().stream()
            .filter(p -> p.getSeverity() != SettingsProblem.Severity.WARNING).toList();
        if (!errors.isEmpty()) {
          throw new IllegalStateException("Tried to decrypt the password of server '"
              + server.getId() + "' in settings.xml but failed because: "
              + errors.get(0).getMessage() + " (check settings-security.xml's master password)");
        }
        decrypted = answer.getServer();
      }
      String password = decrypted.getPassword() == null ? "" : decrypted.getPassword();
      result.put(server.getId(), new Credential(decrypted.getUsername(), password));
    }
    return result;
  }
}
