// SPDX-License-Identifier: MIT
// Runs save_onnx's models (DIR/NAME.onnx) in ONNX Runtime (the npm package
// onnxruntime-node) on the inputs of DIR/NAME.json and compares its outputs with xtnn's:
// |ort - xtnn| <= 1e-5 * max(1, |xtnn|) for every value. Exits 77 (skipped) when the package
// cannot be loaded, unless XTNN_REQUIRE_ONNXRUNTIME is set (CI), which makes that a failure.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
    ort = require('onnxruntime-node');
} catch (e) {
    console.log(`skipped: onnxruntime-node cannot be loaded (${e.message.split('\n')[0]})`);
    process.exit(process.env.XTNN_REQUIRE_ONNXRUNTIME ? 1 : 77);
}

async function main(dir) {
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    if (names.length === 0) {
        throw new Error(`no .json cases in ${dir}`);
    }
    let failed = 0;
    for (const name of names) {
        const test = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        const model = path.join(dir, name.replace(/\.json$/, '.onnx'));
        const session = await ort.InferenceSession.create(model);
        const Array_ = test.type === 'float64' ? Float64Array : Float32Array;
        const input = new ort.Tensor(test.type, Array_.from(test.input), [test.rows, test.inputs]);
        const result = await session.run({ input });
        const output = result.output;
        const dims = output.dims.join('x');
        let worst = 0;
        let ok = dims === `${test.rows}x${test.outputs}`;
        for (let i = 0; ok && i < test.expected.length; ++i) {
            const diff = Math.abs(output.data[i] - test.expected[i]);
            worst = Math.max(worst, diff);
            ok = diff <= 1e-5 * Math.max(1, Math.abs(test.expected[i]));
        }
        console.log(`${name.replace(/\.json$/, '')}: onnxruntime ${ort.env.versions.common} ` +
                    `output ${dims}, max |ort - xtnn| ${worst.toExponential(2)} ` +
                    (ok ? 'ok' : 'FAILED'));
        failed += ok ? 0 : 1;
    }
    if (failed) {
        throw new Error(`${failed} of ${names.length} models differ from xtnn`);
    }
    console.log(`${names.length} models agree with xtnn to 1e-5`);
}

main(process.argv[2]).catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
});
