import { Command } from 'commander';
import { doctor, type DoctorReport } from '../profile/index.js';

export function formatDoctor(r: DoctorReport): string {
  const lines = [
    `cpu        ${r.cpu_model} (${r.cores} cores, ${r.arch})`,
    `memory     ${r.total_memory_mb} MB`,
    `os         ${r.os}, node ${r.node_version}`,
    `gpu        ${r.gpu ?? 'none visible (nvidia-smi)'}`,
    `runtimes   onnxruntime-node ${r.runtimes['onnxruntime-node']}, onnxruntime-web ${r.runtimes['onnxruntime-web']}`,
    ...(r.browser ? [`browser    ${r.browser}`] : []),
    'providers (a tiny model run on each):',
  ];
  for (const p of r.providers) {
    const where = `${p.provider} (${p.runtime})`.padEnd(26);
    const note = p.note ? ` (${p.note})` : '';
    lines.push(`  ${p.ok ? 'ok  ' : 'FAIL'} ${where}${p.ok ? `${p.ms} ms` : p.error ?? ''}${note}`);
  }
  return lines.join('\n');
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('what this machine can profile: CPU, runtimes, and whether a tiny model runs on each execution provider')
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { json?: boolean }) => {
      const r = await doctor();
      process.stdout.write((opts.json ? JSON.stringify(r, null, 2) : formatDoctor(r)) + '\n');
    });
}
