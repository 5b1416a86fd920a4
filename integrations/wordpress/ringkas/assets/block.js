/* The "Ringkasan" block: the post's stored summary, rendered by PHP (Ringkas_Front::render_block)
 * both here (ServerSideRender) and for readers, so the markup and its escaping live in one place. */
( function ( wp ) {
	'use strict';
	const h = wp.element.createElement;
	const words = window.ringkasBlock;
	wp.blocks.registerBlockType( 'ringkas/summary', {
		apiVersion: 2,
		title: words.title,
		description: words.description,
		category: 'text',
		icon: 'text',
		usesContext: [ 'postId' ],
		supports: { html: false, multiple: false },
		edit( { context } ) {
			return h( 'div', wp.blockEditor.useBlockProps(),
				h( wp.serverSideRender, {
					block: 'ringkas/summary',
					urlQueryArgs: { post_id: context.postId },
					EmptyResponsePlaceholder: () => h( 'p', { className: 'ringkas-block-empty' }, words.empty ),
				} ) );
		},
		save: () => null,
	} );
} )( window.wp );
