import ai.onnxruntime.*;
import dev.rerank4j.crossencoder.runtime.internal.ProtoWire;
import java.nio.file.*;
import java.util.*;
/** Writes ONNX Runtime's optimised graph of a model (args: model.onnx out.onnx EXTENDED_OPT|ALL_OPT) and prints both graphs' operator counts. */
public class OptimizedGraph {
  public static void main(String[] a) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(a[2]));
    o.setOptimizedModelFilePath(a[1]);
    try (OrtSession s = env.createSession(a[0], o)) {}
    for (String f : new String[]{a[0], a[1]}) {
      byte[] b = Files.readAllBytes(Path.of(f));
      Map<String,Integer> ops = new TreeMap<>();
      for (var m : ProtoWire.fields(b, 0, b.length)) if (m.number()==7)
        for (var g : m.message()) if (g.number()==1) for (var n : g.message()) if (n.number()==4) ops.merge(n.string(),1,Integer::sum);
      System.out.println(f + " " + ops);
    }
  }
}
