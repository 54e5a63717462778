"""Release steps: each combines pure decisions with adapters to do one job.

compute and nightly versions, prepare- and post-release, plan, stamp, build,
publish, smoke test, governance, maintained lines and doctor.
"""
