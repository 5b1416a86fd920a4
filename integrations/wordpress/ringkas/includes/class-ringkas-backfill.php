<?php
/**
 * Tools → Ringkas: every published post without a summary, summarized as one Ringkas archive job
 * (/v1/jobs), its results written back into post meta as they finish. Resumable (the next item index
 * is kept), and safe to start twice (a running job is followed, not doubled; a post that has a summary
 * is never sent again nor overwritten).
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The backfill page, its two actions and its cron tick.
 */
final class Ringkas_Backfill {
	const PAGE      = 'ringkas-backfill';
	const STATE     = 'ringkas_backfill';
	const HOOK      = 'ringkas_backfill_tick';
	const MAX_ITEMS = 1000; // Per job; the rest goes in the next one.

	public static function menu(): void {
		add_management_page( __( 'Ringkas archive', 'ringkas' ), __( 'Ringkas', 'ringkas' ), 'manage_options', self::PAGE, array( self::class, 'render' ) );
	}

	/** Published posts that have no summary yet. */
	public static function pending_posts( int $limit ): array {
		return get_posts(
			array(
				'post_type'      => 'post',
				'post_status'    => 'publish',
				'posts_per_page' => $limit,
				'orderby'        => 'ID',
				'order'          => 'ASC',
				'meta_query'     => array( // phpcs:ignore WordPress.DB.SlowDBQuery -- a one-off admin action.
					array(
						'key'     => Ringkas_Meta::SUMMARY,
						'compare' => 'NOT EXISTS',
					),
				),
			)
		);
	}

	public static function state(): array {
		$state = get_option( self::STATE, array() );
		return is_array( $state ) ? $state : array();
	}

	private static function guard( string $action ): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Only administrators may do this.', 'ringkas' ), 403 );
		}
		check_admin_referer( $action );
	}

	public static function start(): void {
		self::guard( 'ringkas_backfill_start' );
		$notice = self::begin();
		wp_safe_redirect( add_query_arg( array( 'page' => self::PAGE, 'ringkas' => $notice ), admin_url( 'tools.php' ) ) );
		exit;
	}

	public static function refresh(): void {
		self::guard( 'ringkas_backfill_tick' );
		self::tick();
		wp_safe_redirect( add_query_arg( array( 'page' => self::PAGE ), admin_url( 'tools.php' ) ) );
		exit;
	}

	/**
	 * Sends a job unless one is running (then it is followed, not doubled).
	 *
	 * @return string started, running, nothing or failed.
	 */
	public static function begin(): string {
		$state = self::state();
		if ( 'running' === ( $state['status'] ?? '' ) ) {
			return 'running';
		}
		return self::submit();
	}

	/** @return string What happened, for the page's notice. */
	private static function submit(): string {
		$posts = self::pending_posts( self::MAX_ITEMS );
		if ( ! $posts ) {
			return 'nothing';
		}
		$items = array_map(
			static function ( WP_Post $post ) {
				return array( 'id' => (int) $post->ID, 'html' => $post->post_content );
			},
			$posts
		);
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->submit_job( $items );
		if ( ! $answer['ok'] ) {
			update_option( self::STATE, array( 'status' => 'failed', 'error' => $answer['message'] ), false );
			return 'failed';
		}
		update_option(
			self::STATE,
			array(
				'job_id'  => (string) $answer['data']['id'],
				'total'   => count( $items ),
				'since'   => 0,
				'written' => 0,
				'failed'  => 0,
				'status'  => 'running',
				'started' => time(),
			),
			false
		);
		wp_schedule_single_event( time() + 30, self::HOOK );
		return 'started';
	}

	/** Writes the results finished since the last tick; keeps ticking while the job runs. */
	public static function tick(): void {
		$state = self::state();
		if ( empty( $state['job_id'] ) || 'running' !== ( $state['status'] ?? '' ) ) {
			return;
		}
		$client  = new Ringkas_Client( Ringkas_Options::get() );
		$results = $client->job_results( $state['job_id'], (int) $state['since'] );
		if ( $results['ok'] ) {
			foreach ( $results['data']['lines'] as $line ) {
				$post = get_post( (int) ( $line['id'] ?? 0 ) );
				if ( ! $post || '' !== (string) get_post_meta( $post->ID, Ringkas_Meta::SUMMARY, true ) ) {
					continue; // Gone, or summarized meanwhile: never overwritten.
				}
				if ( 'done' === ( $line['status'] ?? '' ) && isset( $line['result'] ) ) {
					Ringkas_Summaries::store( $post->ID, $line['result'], $post->post_content );
					++$state['written'];
				} else {
					update_post_meta( $post->ID, Ringkas_Meta::ERROR, (string) ( $line['problem']['detail'] ?? '' ) );
					++$state['failed'];
				}
			}
			$state['since'] = max( (int) $state['since'], (int) $results['data']['next'] );
		}
		$job = $client->job( $state['job_id'] );
		$ended = $job['ok'] && in_array( $job['data']['status'] ?? '', array( 'done', 'cancelled' ), true );
		if ( ( $ended && $state['since'] >= $state['total'] ) || ( ! $job['ok'] && 404 === $job['status'] ) ) {
			$state['status'] = 'finished';
		} else {
			wp_schedule_single_event( time() + 60, self::HOOK );
		}
		update_option( self::STATE, $state, false );
	}

	public static function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$state   = self::state();
		$pending = count( self::pending_posts( self::MAX_ITEMS ) );
		$notice  = isset( $_GET['ringkas'] ) ? sanitize_key( wp_unslash( $_GET['ringkas'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- display only.
		$notices = array(
			'started' => __( 'The archive job was sent to Ringkas.', 'ringkas' ),
			'running' => __( 'A job is already running: it is followed, not started again.', 'ringkas' ),
			'nothing' => __( 'Every published post already has a summary.', 'ringkas' ),
			'failed'  => __( 'The job could not be sent.', 'ringkas' ),
		);
		if ( 'running' === ( $state['status'] ?? '' ) ) {
			wp_add_inline_script( 'common', 'setTimeout(function(){location.reload();},5000);' );
		}
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Ringkas archive', 'ringkas' ); ?></h1>
			<?php if ( isset( $notices[ $notice ] ) ) : ?>
				<div class="notice notice-info"><p><?php echo esc_html( $notices[ $notice ] ); ?></p></div>
			<?php endif; ?>
			<p id="ringkas-pending">
				<?php
				/* translators: %d: number of posts */
				echo esc_html( sprintf( _n( '%d published post has no summary yet.', '%d published posts have no summary yet.', $pending, 'ringkas' ), $pending ) );
				?>
			</p>
			<?php if ( ! empty( $state['job_id'] ) ) : ?>
				<p id="ringkas-progress">
					<?php
					echo esc_html(
						sprintf(
							/* translators: 1: summaries written, 2: items failed, 3: items in the job, 4: job status */
							__( 'Last job: %1$d written, %2$d failed, of %3$d (%4$s).', 'ringkas' ),
							(int) $state['written'],
							(int) $state['failed'],
							(int) $state['total'],
							'running' === $state['status'] ? __( 'running', 'ringkas' ) : __( 'finished', 'ringkas' )
						)
					);
					?>
				</p>
			<?php elseif ( 'failed' === ( $state['status'] ?? '' ) ) : ?>
				<div class="notice notice-error"><p><?php echo esc_html( $state['error'] ?? '' ); ?></p></div>
			<?php endif; ?>
			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline">
				<input type="hidden" name="action" value="ringkas_backfill_start">
				<?php wp_nonce_field( 'ringkas_backfill_start' ); ?>
				<?php submit_button( __( 'Summarize the archive', 'ringkas' ), 'primary', 'submit', false ); ?>
			</form>
			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline">
				<input type="hidden" name="action" value="ringkas_backfill_tick">
				<?php wp_nonce_field( 'ringkas_backfill_tick' ); ?>
				<?php submit_button( __( 'Refresh now', 'ringkas' ), 'secondary', 'submit', false ); ?>
			</form>
		</div>
		<?php
	}
}
