import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to one address. Its jar has no host option: DynamoDBProxyServer builds a Jetty
 * Server(port), which listens on every interface. This builds the server from the usual arguments, then sets
 * the host of Jetty's connector before it starts. Run by stack/dynamodb.ts with Java's source launcher:
 * java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackDynamoDBLocal.java HOST <DynamoDB Local arguments>
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(rest);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int bound = 0;
    for (Connector c : server.getConnectors()) {
      if (c instanceof ServerConnector) {
        ((ServerConnector) c).setHost(host);
        bound++;
      }
    }
    // Fail loudly rather than silently listen everywhere if a future jar builds its server differently.
    if (bound == 0) throw new IllegalStateException("DynamoDB Local: no Jetty connector to bind to " + host);
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
  }
}
