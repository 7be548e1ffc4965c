// The Node.js bundle of @tensorflow/tfjs-core 4.22 (tf-core.node.js) registers no
// gradient functions, so tf.variableGrads fails with "gradient function not found".
// The Node.js bundle of @tensorflow/tfjs-layers registers all of tfjs-core's
// gradients when it is imported; import this module before computing gradients.
import '@tensorflow/tfjs-layers';
